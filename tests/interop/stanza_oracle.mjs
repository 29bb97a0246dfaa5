// Baileys' stanza helpers and message decryption as a test oracle, speaking the JSON-lines
// protocol of oracle.mjs (one request per stdin line, one answer per stdout line, bytes as hex).
//
// A peer is a Baileys account in memory: initAuthCreds, an in-memory key store and Baileys'
// libsignal repository (makeLibSignalRepository), so decryption runs Baileys' own code path.
//
//   message_id   {"timestamp", "random", "user"}  -> str   (generateMessageIDV2, with Date.now
//                                                           and crypto.randomBytes pinned)
//   phash        {"jids": [str]}                 -> str   (generateParticipantHashV2)
//   create       {"peer", "me", "lid"}           -> HEX   (the pre-key upload node Baileys
//                                                           builds for 2 keys, encoded)
//   usync        {"peer", "node"}                -> [{"user","device","server"}]
//                                                  (USyncQuery parser + extractDeviceJids)
//   inject       {"peer", "node"}                -> null  (parseAndInjectE2ESessions of an
//                                                           encoded key-fetch answer)
//   decrypt      {"peer", "node"}                -> {"message": JSON | null, "stub": [str] | null}
//                                                  (decryptMessageNode on an encoded <message>)
//   encrypt      {"peer", "to", "sender", "message_id", "text"} -> HEX: the encoded <message
//                from=sender> holding Baileys' <enc> for `to`, as a server delivers it
import { serve } from './jsonlines.mjs';
import { logger, memoryKeyStore } from './baileys_harness.mjs';
import { syncBuiltinESMExports } from 'node:module';
import crypto from 'node:crypto';

const baileys = await import('baileys');
const {
    encodeBinaryNode, decodeBinaryNode, generateMessageIDV2, generateParticipantHashV2,
    initAuthCreds, getNextPreKeysNode, parseAndInjectE2ESessions, decryptMessageNode,
    extractDeviceJids, encodeWAMessage, USyncQuery, proto,
} = baileys;
const { makeLibSignalRepository } = await import('baileys/lib/Signal/libsignal.js');

const fromHex = (hex) => Buffer.from(hex, 'hex');
const toHex = (bytes) => Buffer.from(bytes).toString('hex');

const peers = new Map();
const peer = (name) => {
    const found = peers.get(name);
    if (!found) throw new Error(`no peer ${name}`);
    return found;
};

const ops = {
    message_id({ timestamp, random, user }) {
        const realNow = Date.now;
        const realRandom = crypto.randomBytes;
        Date.now = () => timestamp * 1000;
        crypto.randomBytes = () => fromHex(random);
        syncBuiltinESMExports();
        try {
            return generateMessageIDV2(user);
        } finally {
            Date.now = realNow;
            crypto.randomBytes = realRandom;
            syncBuiltinESMExports();
        }
    },

    phash({ jids }) {
        return generateParticipantHashV2([...jids]);
    },

    async create({ peer: name, me, lid }) {
        const creds = initAuthCreds();
        creds.me = { id: me, lid };
        const store = memoryKeyStore();
        const keys = { ...store, transaction: (work) => work(), isInTransaction: () => false };
        const state = { creds, keys };
        const repository = makeLibSignalRepository(state, logger);
        const { update, node } = await getNextPreKeysNode(state, 2);
        Object.assign(creds, update);
        peers.set(name, { state, repository });
        return toHex(encodeBinaryNode(node));
    },

    async usync({ peer: name, node }) {
        const { creds } = peer(name).state;
        const query = new USyncQuery().withContext('message').withDeviceProtocol().withLIDProtocol();
        const result = query.parseUSyncQueryResult(await decodeBinaryNode(fromHex(node)));
        return extractDeviceJids(result.list, creds.me.id, creds.me.lid, false).map(
            ({ user, device, server }) => ({ user, device, server }),
        );
    },

    async inject({ peer: name, node }) {
        await parseAndInjectE2ESessions(await decodeBinaryNode(fromHex(node)), peer(name).repository);
        return null;
    },

    async decrypt({ peer: name, node }) {
        const { state, repository } = peer(name);
        const stanza = await decodeBinaryNode(fromHex(node));
        const { fullMessage, decrypt } = decryptMessageNode(
            stanza, state.creds.me.id, state.creds.me.lid, repository, logger,
        );
        await decrypt();
        const message = fullMessage.message
            ? proto.Message.toObject(fullMessage.message, { defaults: false })
            : null;
        return { message, stub: fullMessage.messageStubParameters ?? null };
    },

    async encrypt({ peer: name, to, sender, message_id, text }) {
        const { repository } = peer(name);
        const data = encodeWAMessage({ conversation: text });
        const { type, ciphertext } = await repository.encryptMessage({ jid: to, data });
        const node = {
            tag: 'message',
            attrs: { from: sender, id: message_id, t: '1700000000', type: 'text' },
            content: [{ tag: 'enc', attrs: { v: '2', type }, content: ciphertext }],
        };
        return toHex(encodeBinaryNode(node));
    },
};

await serve(ops);
