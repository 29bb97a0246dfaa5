// Baileys' side of bench/group_fanout.py: pair with the sandbox, create a group, time sends.
//
// Usage: node bench/baileys_group_fanout.mjs WS_URL ROOT_PUBLIC_KEY_HEX  (cwd tests/interop,
// where Baileys is installed; bench/group_fanout.py does this for you).
// Prints JSON lines: {"event":"qr","qr"}, {"event":"open"}, then one answer per request.
// Requests on stdin, one JSON object a line:
//   {"op":"create","subject","participants":[jid...]}  -> {"event":"created","id"}
//   {"op":"send","to","count"}  -> {"event":"sent","seconds"}: `count` texts one after the
//                                  other, each awaited until the server's ack
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { emit, logger, memoryKeyStore } from '../tests/interop/baileys_harness.mjs';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const { default: makeWASocket, WA_CERT_DETAILS, initAuthCreds } = await import(require.resolve('baileys'));

const [wsUrl, rootHex] = process.argv.slice(2);
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootHex, 'hex');
const RESTART_REQUIRED = 515;
const auth = { creds: initAuthCreds(), keys: memoryKeyStore() };
const acked = new Map(); // message id -> resolve, for the sends waiting for their ack
let sock = null;

function connect() {
  sock = makeWASocket({
    waWebSocketUrl: wsUrl, auth, logger, printQRInTerminal: false, connectTimeoutMs: 60000,
    defaultQueryTimeoutMs: 120000, markOnlineOnConnect: false, shouldSyncHistoryMessage: () => false,
  });
  sock.ev.on('creds.update', (update) => Object.assign(auth.creds, update));
  sock.ws.on('CB:ack,class:message', ({ attrs }) => {
    const resolve = acked.get(attrs.id);
    if (resolve) resolve(); else early.add(attrs.id);
  });
  sock.ev.on('connection.update', ({ qr, connection, lastDisconnect }) => {
    if (qr) emit({ event: 'qr', qr });
    if (connection === 'open') emit({ event: 'open' });
    if (connection !== 'close') return;
    if (lastDisconnect?.error?.output?.statusCode === RESTART_REQUIRED) return connect();
    emit({ event: 'close', error: String(lastDisconnect?.error ?? '') });
    process.exit(1);
  });
}

// the ack may come before sendMessage returns the id: remember early ones
const early = new Set();
function ackOf(id) {
  if (early.delete(id)) return Promise.resolve();
  return new Promise((resolve) => acked.set(id, resolve));
}

async function sendAcked(to, text) {
  const sent = await sock.sendMessage(to, { text });
  await ackOf(sent.key.id);
  acked.delete(sent.key.id);
}

const OPS = {
  async create({ subject, participants }) {
    return { event: 'created', id: (await sock.groupCreate(subject, participants)).id };
  },
  async send({ to, count }) {
    const start = performance.now();
    for (let n = 0; n < count; n += 1) await sendAcked(to, `baileys ${n}`);
    return { event: 'sent', seconds: (performance.now() - start) / 1000 };
  },
};

connect();
createInterface({ input: process.stdin }).on('line', async (line) => {
  const request = JSON.parse(line);
  try {
    emit(await OPS[request.op](request));
  } catch (err) {
    emit({ event: 'failed', error: String(err?.stack ?? err) });
  }
});
