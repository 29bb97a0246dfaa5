// A real Baileys client (makeWASocket) pointed at a botkit test server.
//
// Usage: node baileys_client.mjs WS_URL ROOT_PUBLIC_KEY_HEX
// Prints one JSON object per line on stdout: first {"event":"creds",...} with the key material
// of the fresh credentials (hex), then {"event":"connection",...} for each connection update.
// Exits when the connection closes or stdin ends. console.* goes to stderr.
import { emit, hex, logger, memoryKeyStore } from './baileys_harness.mjs';
import makeWASocket, { WA_CERT_DETAILS, initAuthCreds } from 'baileys';

const [wsUrl, rootHex] = process.argv.slice(2);
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootHex, 'hex');

const keyStore = memoryKeyStore();

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
  logger,
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
