// Time libsignal@6.0.0 (the 1:1 Signal library Baileys uses) on the workloads of bench/signal_sessions.py.
//
// Usage: node bench/signal_peer.mjs CONFIG.json   (run with cwd tests/interop; bench/signal_sessions.py
// does this for you).
//
// CONFIG.json: {"messages": N, "alternating": A, "sessions": S, "payload": BYTES, "serialized": bool}
// Prints one JSON line with seconds per workload:
//   messages     N messages one way on an established session, each encrypted then decrypted
//   alternating  A messages taking turns, so every message steps the DH ratchet
//   sessions     S new sessions: process a bundle (with a one-time pre-key), encrypt the first
//                message (pkmsg), the responder decrypts it
// With "serialized" the stores keep records as JSON strings (as a persistent store would), else
// as live SessionRecord objects.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

for (const name of ['log', 'info', 'warn', 'debug', 'trace', 'dir']) {
    console[name] = () => {};
}

const require = createRequire(path.join(process.cwd(), 'package.json'));
const { keyhelper, ProtocolAddress, SessionBuilder, SessionCipher, SessionRecord } =
    require('libsignal');
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

class Store {
    constructor(prekeyCount, signed = true) {
        this.identity = keyhelper.generateIdentityKeyPair();
        this.registrationId = keyhelper.generateRegistrationId();
        this.signedPreKey = signed ? keyhelper.generateSignedPreKey(this.identity, 1) : null;
        this.preKeys = new Map();
        for (let id = 1; id <= prekeyCount; id++) {
            this.preKeys.set(id, keyhelper.generatePreKey(id).keyPair);
        }
        this.sessions = new Map();
    }
    async getOurIdentity() { return this.identity; }
    async getOurRegistrationId() { return this.registrationId; }
    async isTrustedIdentity() { return true; }
    async loadSession(address) {
        const stored = this.sessions.get(address);
        if (stored === undefined || !config.serialized) {
            return stored;
        }
        return SessionRecord.deserialize(JSON.parse(stored));
    }
    async storeSession(address, record) {
        this.sessions.set(address, config.serialized ? JSON.stringify(record.serialize()) : record);
    }
    async loadPreKey(id) { return this.preKeys.get(id); }
    async removePreKey(id) { this.preKeys.delete(id); }
    async loadSignedPreKey(id) {
        return id === this.signedPreKey?.keyId ? this.signedPreKey.keyPair : undefined;
    }
}

const bundleOf = (store, prekeyId) => ({
    registrationId: store.registrationId,
    identityKey: store.identity.pubKey,
    signedPreKey: {
        keyId: store.signedPreKey.keyId,
        publicKey: store.signedPreKey.keyPair.pubKey,
        signature: store.signedPreKey.signature,
    },
    preKey: { keyId: prekeyId, publicKey: store.preKeys.get(prekeyId).pubKey },
});

const payload = Buffer.alloc(config.payload, 0x61);
const alice = new Store(0, false);
const bob = new Store(config.sessions + 1);
const toBob = new SessionCipher(alice, new ProtocolAddress('bob', 1));
const toAlice = new SessionCipher(bob, new ProtocolAddress('alice', 1));

const deliver = async (cipher, { type, body }) =>
    type === 3 ? cipher.decryptPreKeyWhisperMessage(body) : cipher.decryptWhisperMessage(body);

// Establish alice <-> bob (one-time pre-key 1) before timing anything.
await new SessionBuilder(alice, new ProtocolAddress('bob', 1)).initOutgoing(bundleOf(bob, 1));
await deliver(toAlice, await toBob.encrypt(payload));
await deliver(toBob, await toAlice.encrypt(payload));

const timed = async (fn) => {
    const start = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - start) / 1e9;
};

const messages = await timed(async () => {
    for (let i = 0; i < config.messages; i++) {
        await deliver(toAlice, await toBob.encrypt(payload));
    }
});

const alternating = await timed(async () => {
    for (let i = 0; i < config.alternating; i++) {
        if (i % 2 === 0) {
            await deliver(toAlice, await toBob.encrypt(payload));
        } else {
            await deliver(toBob, await toAlice.encrypt(payload));
        }
    }
});

// Each new session has its own initiator, whose identity is made before timing starts.
const initiators = Array.from({ length: config.sessions }, () => new Store(0, false));
const bobAddress = new ProtocolAddress('bob', 1);
const sessions = await timed(async () => {
    for (let i = 0; i < config.sessions; i++) {
        const initiator = initiators[i];
        await new SessionBuilder(initiator, bobAddress).initOutgoing(bundleOf(bob, i + 2));
        const first = await new SessionCipher(initiator, bobAddress).encrypt(payload);
        await deliver(new SessionCipher(bob, new ProtocolAddress(`alice${i}`, 1)), first);
    }
});

process.stdout.write(JSON.stringify({ messages, alternating, sessions }) + '\n');
