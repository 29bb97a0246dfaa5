// A real Baileys client (makeWASocket) pointed at a botkit test server.
//
// Usage: node baileys_client.mjs WS_URL ROOT_PUBLIC_KEY_HEX
// Prints one JSON object per line on stdout: first {"event":"creds",...} with the key material
// of the fresh credentials (hex), then {"event":"connection",...} for each connection update.
// Exits when the connection closes or stdin ends. console.* goes to stderr.
import makeWASocket, { WA_CERT_DETAILS, initAuthCreds } from 'baileys';

for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
  console[name] = (...args) => process.stderr.write(args.map(String).join(' ') + '\n');
}

const [wsUrl, rootHex] = process.argv.slice(2);
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootHex, 'hex');

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const hex = (b) => Buffer.from(b).toString('hex');

// BAILEYS_LOG=1 sends Baileys' own log lines to stderr (for debugging a failing test).
const verbose = process.env.BAILEYS_LOG === '1';
const say = (level) => (obj, msg) =>
  verbose && process.stderr.write(`${level} ${msg ?? ''} ${JSON.stringify(obj ?? {})?.slice(0, 500)}\n`);
const silent = {
  level: verbose ? 'trace' : 'silent',
  child() { return silent; },
  trace: say('trace'), debug: say('debug'), info: say('info'), warn: say('warn'),
  error: say('error'), fatal: say('fatal'),
};

const keys = new Map();
const keyStore = {
  async get(type, ids) {
    const out = {};
    for (const id of ids) {
      const v = keys.get(`${type}:${id}`);
      if (v !== undefined) out[id] = v;
    }
    return out;
  },
  async set(data) {
    for (const [type, entries] of Object.entries(data)) {
      for (const [id, v] of Object.entries(entries)) {
        if (v) keys.set(`${type}:${id}`, v); else keys.delete(`${type}:${id}`);
      }
    }
  },
};

const creds = initAuthCreds();
emit({
  event: 'creds',
  noise_pub: hex(creds.noiseKey.public),
  identity_pub: hex(creds.signedIdentityKey.public),
  signed_pre_key_pub: hex(creds.signedPreKey.keyPair.public),
  signed_pre_key_sig: hex(creds.signedPreKey.signature),
  signed_pre_key_id: creds.signedPreKey.keyId,
  registration_id: creds.registrationId,
  adv_secret: hex(Buffer.from(creds.advSecretKey, 'base64')),
});

const sock = makeWASocket({
  waWebSocketUrl: wsUrl,
  auth: { creds, keys: keyStore },
  logger: silent,
  printQRInTerminal: false,
  connectTimeoutMs: 15000,
  fireInitQueries: false,
  markOnlineOnConnect: false,
});

sock.ev.on('connection.update', (update) => {
  const err = update.lastDisconnect?.error;
  emit({
    event: 'connection',
    connection: update.connection ?? null,
    qr: update.qr ?? null,
    error: err ? String(err.message ?? err) : null,
    status: err?.output?.statusCode ?? null,
  });
  if (update.connection === 'close') process.exit(0);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
