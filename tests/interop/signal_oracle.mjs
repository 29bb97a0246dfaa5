// libsignal@6.0.0 (the Signal library Baileys uses) as a 1:1-session oracle: one long-lived
// process, one JSON request per stdin line, one JSON answer per stdout line, bytes as lowercase
// hex. Same framing as oracle.mjs:
//
// Request:  {"id": N, "op": NAME, ...arguments}
// Answer:   {"id": N, "ok": true, "result": ...} or {"id": N, "ok": false, "error": "..."}
//
// The process keeps named peers, each with libsignal's store interface in memory (identity key
// pair, registration id, signed pre-key, one-time pre-keys, sessions stored serialized).
// Every peer trusts every identity: trust decisions are botkit's side of the tests.
//
//   create          {"peer", "prekeys": N}  -> {"identity": HEX33, "registration_id"}
//                   (again for an existing name: the peer re-registers, forgetting everything)
//   bundle          {"peer", "with_prekey": bool} -> BUNDLE (each one-time pre-key handed out once)
//   process_bundle  {"peer", "remote", "bundle": BUNDLE} -> null
//   encrypt         {"peer", "remote", "plaintexts": [HEX]} -> [{"type": "pkmsg"|"msg", "data"}]
//   decrypt         {"peer", "remote", "messages": [{"type", "data"}]}
//                   -> [{"plaintext": HEX} | {"error": str}]   (a failing item fails only itself)
//   has_prekey      {"peer", "prekey_id"} -> bool
//
// BUNDLE = {"registration_id", "identity_key", "signed_prekey_id", "signed_prekey", "signature",
//           "prekey_id"?, "prekey"?}, keys as 33-byte 0x05-prefixed hex.

import { serve } from './jsonlines.mjs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const libsignal = require('libsignal');
const { keyhelper, ProtocolAddress, SessionBuilder, SessionCipher, SessionRecord } = libsignal;

const fromHex = (hex) => Buffer.from(hex, 'hex');
const toHex = (bytes) => Buffer.from(bytes).toString('hex');

class MemoryStore {
    constructor(prekeyCount) {
        this.identity = keyhelper.generateIdentityKeyPair();
        this.registrationId = keyhelper.generateRegistrationId();
        this.signedPreKey = keyhelper.generateSignedPreKey(this.identity, 1);
        this.preKeys = new Map();
        this.unpublished = [];
        for (let id = 1; id <= prekeyCount; id++) {
            this.preKeys.set(id, keyhelper.generatePreKey(id).keyPair);
            this.unpublished.push(id);
        }
        this.sessions = new Map();
    }

    async getOurIdentity() { return this.identity; }
    async getOurRegistrationId() { return this.registrationId; }
    async isTrustedIdentity() { return true; }
    async loadSession(address) {
        const stored = this.sessions.get(address);
        return stored === undefined ? undefined : SessionRecord.deserialize(stored);
    }
    async storeSession(address, record) { this.sessions.set(address, record.serialize()); }
    async loadPreKey(id) { return this.preKeys.get(id); }
    async removePreKey(id) { this.preKeys.delete(id); }
    async loadSignedPreKey(id) {
        return id === this.signedPreKey.keyId ? this.signedPreKey.keyPair : undefined;
    }
}

const peers = new Map();
const store = (name) => {
    const found = peers.get(name);
    if (!found) {
        throw new Error(`no peer ${name}`);
    }
    return found;
};
const address = (remote) => new ProtocolAddress(remote, 1);

const ops = {
    create({ peer, prekeys }) {
        const created = new MemoryStore(prekeys ?? 10);
        peers.set(peer, created);
        return { identity: toHex(created.identity.pubKey), registration_id: created.registrationId };
    },

    bundle({ peer, with_prekey }) {
        const s = store(peer);
        const bundle = {
            registration_id: s.registrationId,
            identity_key: toHex(s.identity.pubKey),
            signed_prekey_id: s.signedPreKey.keyId,
            signed_prekey: toHex(s.signedPreKey.keyPair.pubKey),
            signature: toHex(s.signedPreKey.signature),
        };
        if (with_prekey) {
            const id = s.unpublished.shift();
            if (id === undefined) {
                throw new Error(`${peer} has no unpublished one-time pre-keys left`);
            }
            bundle.prekey_id = id;
            bundle.prekey = toHex(s.preKeys.get(id).pubKey);
        }
        return bundle;
    },

    async process_bundle({ peer, remote, bundle }) {
        const device = {
            registrationId: bundle.registration_id,
            identityKey: fromHex(bundle.identity_key),
            signedPreKey: {
                keyId: bundle.signed_prekey_id,
                publicKey: fromHex(bundle.signed_prekey),
                signature: fromHex(bundle.signature),
            },
        };
        if (bundle.prekey_id !== undefined) {
            device.preKey = { keyId: bundle.prekey_id, publicKey: fromHex(bundle.prekey) };
        }
        await new SessionBuilder(store(peer), address(remote)).initOutgoing(device);
        return null;
    },

    async encrypt({ peer, remote, plaintexts }) {
        const cipher = new SessionCipher(store(peer), address(remote));
        const out = [];
        for (const hex of plaintexts) {
            const { type, body } = await cipher.encrypt(fromHex(hex));
            out.push({ type: type === 3 ? 'pkmsg' : 'msg', data: toHex(body) });
        }
        return out;
    },

    async decrypt({ peer, remote, messages }) {
        const cipher = new SessionCipher(store(peer), address(remote));
        const out = [];
        for (const { type, data } of messages) {
            try {
                const plaintext = type === 'pkmsg'
                    ? await cipher.decryptPreKeyWhisperMessage(fromHex(data))
                    : await cipher.decryptWhisperMessage(fromHex(data));
                out.push({ plaintext: toHex(plaintext) });
            } catch (err) {
                out.push({ error: String(err && err.message ? err.message : err) });
            }
        }
        return out;
    },

    has_prekey({ peer, prekey_id }) {
        return store(peer).preKeys.has(prekey_id);
    },
};

await serve(ops);
