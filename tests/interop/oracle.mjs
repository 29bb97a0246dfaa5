// Baileys as a test oracle: one long-lived process, one JSON request per stdin line, one JSON
// answer per stdout line. Bytes travel as lowercase hex.
//
// Request:  {"id": N, "op": NAME, ...arguments}
// Answer:   {"id": N, "ok": true, "result": ...} or {"id": N, "ok": false, "error": "..."}
//
// Batch operations answer with one entry per item, and a failing item does not fail the batch:
//   encode   {"nodes": [NODE]}                          -> [{"hex"} | {"error"}]
//   decode   {"hex": [HEX]}                             -> [{"node": NODE} | {"error"}]
//   keypair  {"count": N}                               -> [{"private", "public"}]  (32-byte public)
//   sign     {"items": [{"private", "message", "random"?}]} -> [HEX signature]
//   verify   {"items": [{"public", "message", "signature"}]} -> [bool]  (libsignal's answer)
//   tokens   {}  -> {"single": [str], "double": [[str]]}   (Baileys' token tables)
//   version  {}  -> {"baileys": str, "node": str}
//
// NODE = {"tag": str, "attrs": {key: str}, "content": null | {"bytes": HEX} | {"string": str} | [NODE]}
// Baileys keeps JIDs in attributes as strings; a decoded string content (a token, packed string or
// JID) comes back as {"string": ...}, raw bytes as {"bytes": ...}.
//
// sign without "random" is Baileys' own Curve.sign (libsignal's calculateSignature). With a
// 64-byte "random" it calls curve25519-js (the library under libsignal) with that randomness, so
// a deterministic XEdDSA implementation can be compared byte for byte.

import { serve } from './jsonlines.mjs';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const baileys = await import('baileys');
const { encodeBinaryNode, decodeBinaryNode, Curve, generateSignalPubKey } = baileys;
const constants = await import('baileys/lib/WABinary/constants.js');
const curveJs = require('curve25519-js');
const libsignalCurve = require('libsignal/src/curve.js');

const fromHex = (hex) => Buffer.from(hex, 'hex');
const toHex = (bytes) => Buffer.from(bytes).toString('hex');

const nodeFromJson = (json) => {
    const node = { tag: json.tag, attrs: { ...(json.attrs || {}) } };
    const content = json.content;
    if (content === null || content === undefined) {
        return node;
    }
    if (Array.isArray(content)) {
        node.content = content.map(nodeFromJson);
    } else if (typeof content.bytes === 'string') {
        node.content = fromHex(content.bytes);
    } else if (typeof content.string === 'string') {
        node.content = content.string;
    } else {
        throw new Error(`bad content in <${json.tag}>: ${JSON.stringify(content)}`);
    }
    return node;
};

const nodeToJson = (node) => {
    const attrs = {};
    for (const [key, value] of Object.entries(node.attrs || {})) {
        attrs[key] = String(value);
    }
    let content = null;
    const raw = node.content;
    if (Array.isArray(raw)) {
        content = raw.map(nodeToJson);
    } else if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) {
        content = { bytes: toHex(raw) };
    } else if (typeof raw === 'string') {
        content = { string: raw };
    } else if (raw !== undefined && raw !== null) {
        throw new Error(`unexpected content type ${typeof raw} in <${node.tag}>`);
    }
    return { tag: node.tag, attrs, content };
};

const perItem = async (items, fn) => {
    const out = [];
    for (const item of items) {
        try {
            out.push(await fn(item));
        } catch (err) {
            out.push({ error: String(err && err.message ? err.message : err) });
        }
    }
    return out;
};

const packageVersion = (name) => {
    const path = require.resolve(`${name}/package.json`);
    return JSON.parse(readFileSync(path, 'utf-8')).version;
};

const ops = {
    version: async () => ({ baileys: packageVersion('baileys'), node: process.version }),
    tokens: async () => ({
        single: constants.SINGLE_BYTE_TOKENS,
        double: constants.DOUBLE_BYTE_TOKENS,
    }),
    encode: async ({ nodes }) =>
        perItem(nodes, async (json) => ({ hex: toHex(encodeBinaryNode(nodeFromJson(json))) })),
    decode: async ({ hex }) =>
        perItem(hex, async (h) => ({ node: nodeToJson(await decodeBinaryNode(fromHex(h))) })),
    keypair: async ({ count }) => {
        const out = [];
        for (let i = 0; i < count; i++) {
            const pair = Curve.generateKeyPair();
            out.push({ private: toHex(pair.private), public: toHex(pair.public) });
        }
        return out;
    },
    sign: async ({ items }) =>
        items.map(({ private: priv, message, random }) => {
            const key = fromHex(priv);
            const msg = fromHex(message);
            if (random === undefined || random === null) {
                return toHex(Curve.sign(key, msg));
            }
            return toHex(curveJs.sign(key, msg, fromHex(random)));
        }),
    // Not Curve.verify: it returns true whenever libsignal's verifySignature does not throw, and
    // that function *returns* false for a bad signature, so Curve.verify accepts any well-formed
    // 64-byte signature. This answers with the boolean that Curve.verify throws away.
    verify: async ({ items }) =>
        items.map(({ public: pub, message, signature }) => {
            try {
                return libsignalCurve.verifySignature(
                    generateSignalPubKey(fromHex(pub)),
                    fromHex(message),
                    fromHex(signature),
                ) === true;
            } catch (err) {
                return false;
            }
        }),
};

await serve(ops);
