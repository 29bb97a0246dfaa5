// Time Baileys' binary node codec on the node mix written by bench/codec.py.
//
// Usage: node bench/baileys_codec.mjs MIX.json   (run with cwd tests/interop, or with NODE_PATH
// pointing into tests/interop/node_modules; bench/codec.py does this for you).
//
// MIX.json: {"rounds": R, "nodes": [{tag, attrs: {k: string}, content: null | [..] | {hex}}],
//            "encoded": ["hex of botkit's encoding", ...]}
// Prints one JSON line: timings for encodeBinaryNode, decodeBinaryNode (async, as Baileys calls
// it per frame) and the synchronous inner decoder, plus how many of Baileys' encodings differ
// from botkit's.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const baileysEntry = require.resolve('baileys');
const baileys = await import(baileysEntry);
const constants = await import(path.join(path.dirname(baileysEntry), 'WABinary', 'constants.js'));
const { encodeBinaryNode, decodeBinaryNode, decodeDecompressedBinaryNode } = baileys;

const mix = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const toNode = (j) => ({
  tag: j.tag,
  attrs: j.attrs,
  content: j.content === null ? undefined
    : Array.isArray(j.content) ? j.content.map(toNode) : Buffer.from(j.content.hex, 'hex'),
});
const nodes = mix.nodes.map(toNode);
const encoded = mix.encoded.map((h) => Buffer.from(h, 'hex'));
const totalBytes = encoded.reduce((sum, b) => sum + b.length, 0);

let mismatches = 0;
nodes.forEach((n, i) => {
  if (!encodeBinaryNode(n).equals(encoded[i])) mismatches += 1;
});

const time = async (fn) => {
  const rounds = mix.rounds;
  for (let r = 0; r < Math.max(1, rounds >> 2); r++) await fn(); // warm-up for the JIT
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) await fn();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9 / rounds;
    best = Math.min(best, seconds);
  }
  return best;
};

const encodeSeconds = await time(() => { for (const n of nodes) encodeBinaryNode(n); });
const decodeSeconds = await time(async () => { for (const b of encoded) await decodeBinaryNode(b); });
const decodeSyncSeconds = await time(() => {
  for (const b of encoded) decodeDecompressedBinaryNode(b.subarray(1), constants);
});

console.log(JSON.stringify({
  nodes: nodes.length,
  bytes: totalBytes,
  mismatches,
  encode_s: encodeSeconds,
  decode_s: decodeSeconds,
  decode_sync_s: decodeSyncSeconds,
}));
