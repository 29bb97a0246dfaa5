// A real Baileys client that pairs with a botkit sandbox and logs in, keeping its credentials
// in memory across the restart the server asks for after pairing (code 515).
//
// Usage: node baileys_pairing.mjs WS_URL ROOT_PUBLIC_KEY_HEX [PHONE]
// With PHONE, Baileys asks for a phone-number pairing code once the server's refs arrive.
// Prints one JSON object per line on stdout:
//   {"event":"qr","qr":...}                      each QR code Baileys shows
//   {"event":"code","code":...}                  the pairing code to type on the phone
//   {"event":"paired","me":...}                  credentials updated by pair-success
//   {"event":"restart","status":515}             the socket closed asking for a restart
//   {"event":"open","me":...,"lid":...}          connection: 'open' reached after login
//   {"event":"close","status":...,"error":...}   the socket closed for good
// Exits when the connection closes for good or stdin ends. console.* goes to stderr.
import { emit, logger, memoryKeyStore } from './baileys_harness.mjs';
import makeWASocket, { DisconnectReason, WA_CERT_DETAILS, initAuthCreds } from 'baileys';

const [wsUrl, rootHex, codePhone] = process.argv.slice(2);
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootHex, 'hex');

const keyStore = memoryKeyStore();

const creds = initAuthCreds();
let codeRequested = false;

function connect() {
  const sock = makeWASocket({
    waWebSocketUrl: wsUrl,
    auth: { creds, keys: keyStore },
    logger,
    printQRInTerminal: false,
    connectTimeoutMs: 15000,
    defaultQueryTimeoutMs: 15000,
    markOnlineOnConnect: false,
  });
  sock.ev.on('creds.update', (update) => {
    Object.assign(creds, update);
    if (update.me && update.account) emit({ event: 'paired', me: update.me.id, lid: update.me.lid ?? null });
  });
  sock.ev.on('connection.update', (update) => {
    if (update.qr) emit({ event: 'qr', qr: update.qr });
    if (update.qr && codePhone && !codeRequested) {
      codeRequested = true;
      sock.requestPairingCode(codePhone).then(
        (code) => emit({ event: 'code', code }),
        (err) => emit({ event: 'close', status: null, error: `pairing code: ${err}` }),
      );
    }
    if (update.connection === 'open') emit({ event: 'open', me: creds.me?.id ?? null, lid: creds.me?.lid ?? null });
    if (update.connection !== 'close') return;
    const err = update.lastDisconnect?.error;
    const status = err?.output?.statusCode ?? null;
    if (status === DisconnectReason.restartRequired) {
      emit({ event: 'restart', status });
      connect();
      return;
    }
    emit({ event: 'close', status, error: err ? String(err.message ?? err) : null });
    process.exit(0);
  });
  return sock;
}

connect();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
