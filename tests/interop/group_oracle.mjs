// Baileys' group cipher (sender keys) and plaintext padding as a test oracle, speaking the same
// JSON-lines protocol as oracle.mjs: one request per stdin line, one answer per stdout line,
// bytes as lowercase hex.
//
// Request:  {"id": N, "op": NAME, ...arguments}
// Answer:   {"id": N, "ok": true, "result": ...} or {"id": N, "ok": false, "error": "..."}
//
// A sender-key name is (group, sender); sender is a Signal address "user.device". Records are
// stored as JSON and read back with SenderKeyRecord.deserialize after every operation, as in
// Baileys, so a failed decryption leaves nothing behind. One difference: the JSON is written with
// BufferJSON.replacer. Baileys' own storeSenderKey writes it without, and its reviver then turns
// stored skipped message keys into plain objects, so after a reload Baileys fails to decrypt an
// out-of-order group message ("Expected Buffer instead of: Object"): a Baileys store bug, not
// a cipher difference, and these tests are about the cipher.
//
//   create   {"group", "sender"}                  -> HEX SKDM (GroupSessionBuilder.create)
//   process  {"group", "sender", "skdm"}          -> null     (GroupSessionBuilder.process)
//   encrypt  {"group", "sender", "plaintexts": [HEX]} -> [HEX skmsg]   (GroupCipher.encrypt)
//   decrypt  {"group", "sender", "messages": [HEX]}   -> [{"plaintext"} | {"error"}]
//   advance  {"group", "sender", "steps"}         -> null     (own chain moved on unsent, as if
//                                                             `steps` messages were lost)
//   pad      {"items": [HEX]}                     -> [HEX]    (writeRandomPadMax16)
//   unpad    {"items": [HEX]}                     -> [{"plaintext"} | {"error"}] (unpadRandomMax16)
//   version  {}                                   -> {"baileys": str, "node": str}

import { serve } from './jsonlines.mjs';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { BufferJSON, writeRandomPadMax16, unpadRandomMax16 } = await import('baileys');
const {
    GroupCipher,
    GroupSessionBuilder,
    SenderKeyDistributionMessage,
    SenderKeyName,
    SenderKeyRecord,
} = await import('baileys/lib/Signal/Group/index.js');
const { ProtocolAddress } = require('libsignal');

const fromHex = (hex) => Buffer.from(hex, 'hex');
const toHex = (bytes) => Buffer.from(bytes).toString('hex');
const errorText = (err) => String(err && err.message ? err.message : err);

const stored = new Map();
const store = {
    loadSenderKey: async (name) => {
        const blob = stored.get(name.toString());
        return blob ? SenderKeyRecord.deserialize(blob) : new SenderKeyRecord();
    },
    storeSenderKey: async (name, record) => {
        const json = JSON.stringify(record.serialize(), BufferJSON.replacer);
        stored.set(name.toString(), Buffer.from(json, 'utf-8'));
    },
};

const senderKeyName = ({ group, sender }) => {
    const [user, device] = sender.split('.');
    return new SenderKeyName(group, new ProtocolAddress(user, Number(device || 0)));
};

const packageVersion = (name) => {
    const path = require.resolve(`${name}/package.json`);
    return JSON.parse(readFileSync(path, 'utf-8')).version;
};

const ops = {
    version: async () => ({ baileys: packageVersion('baileys'), node: process.version }),
    create: async (request) =>
        toHex((await new GroupSessionBuilder(store).create(senderKeyName(request))).serialize()),
    process: async (request) => {
        const skdm = new SenderKeyDistributionMessage(null, null, null, null, fromHex(request.skdm));
        await new GroupSessionBuilder(store).process(senderKeyName(request), skdm);
        return null;
    },
    encrypt: async (request) => {
        const cipher = new GroupCipher(store, senderKeyName(request));
        const out = [];
        for (const plaintext of request.plaintexts) {
            out.push(toHex(await cipher.encrypt(fromHex(plaintext))));
        }
        return out;
    },
    decrypt: async (request) => {
        const cipher = new GroupCipher(store, senderKeyName(request));
        const out = [];
        for (const message of request.messages) {
            try {
                out.push({ plaintext: toHex(await cipher.decrypt(fromHex(message))) });
            } catch (err) {
                out.push({ error: errorText(err) });
            }
        }
        return out;
    },
    advance: async (request) => {
        const name = senderKeyName(request);
        const record = await store.loadSenderKey(name);
        const state = record.getSenderKeyState();
        let chainKey = state.getSenderChainKey();
        for (let i = 0; i < request.steps; i++) {
            chainKey = chainKey.getNext();
        }
        state.setSenderChainKey(chainKey);
        await store.storeSenderKey(name, record);
        return null;
    },
    pad: async ({ items }) => items.map((item) => toHex(writeRandomPadMax16(fromHex(item)))),
    unpad: async ({ items }) =>
        items.map((item) => {
            try {
                return { plaintext: toHex(unpadRandomMax16(fromHex(item))) };
            } catch (err) {
                return { error: errorText(err) };
            }
        }),
};

await serve(ops);
