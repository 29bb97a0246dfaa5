// Baileys' media crypto as an oracle (baileys/lib/Utils/messages-media.js), same JSON-lines
// framing as oracle.mjs, bytes as lowercase hex:
//
//   encrypt   {"type", "plaintext"} -> {"media_key", "blob", "file_sha256", "file_enc_sha256",
//             "file_length"}      (Baileys' encryptedStream; blob = ciphertext ‖ 10-byte MAC)
//   download  {"url", "type", "media_key"} -> HEX plaintext
//             (Baileys' downloadContentFromMessage: fetches the URL — http(s) or a data: URL —
//             and decrypts it; Baileys does not check the MAC or the hashes)
//   upload    {"type", "plaintext", "hostname", "auth"} -> {"media_key", "file_sha256",
//             "file_enc_sha256", "url", "direct_path"}   (encryptedStream, then Baileys' own
//             uploader, getWAUploadToServer, to https://<hostname>; start the process with
//             NODE_EXTRA_CA_CERTS to trust a self-signed server)
//
// "type" is Baileys' media type name: image, video, audio, document, ...

import { serve } from './jsonlines.mjs';
import { readFile, unlink } from 'node:fs/promises';

const media = await import('baileys/lib/Utils/messages-media.js');

const fromHex = (hex) => Buffer.from(hex, 'hex');
const toHex = (bytes) => Buffer.from(bytes).toString('hex');

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

await serve({
    async encrypt({ type, plaintext }) {
        const out = await media.encryptedStream(fromHex(plaintext), type);
        try {
            return {
                media_key: toHex(out.mediaKey),
                blob: toHex(await readFile(out.encFilePath)),
                file_sha256: toHex(out.fileSha256),
                file_enc_sha256: toHex(out.fileEncSha256),
                file_length: out.fileLength,
            };
        } finally {
            await unlink(out.encFilePath);
        }
    },
    async upload({ type, plaintext, hostname, auth }) {
        const out = await media.encryptedStream(fromHex(plaintext), type);
        try {
            const refreshMediaConn = async () => ({ auth, hosts: [{ hostname }] });
            const upload = media.getWAUploadToServer(
                { customUploadHosts: [], logger: quiet, options: {} },
                refreshMediaConn,
            );
            const urls = await upload(out.encFilePath, {
                mediaType: type,
                fileEncSha256B64: out.fileEncSha256.toString('base64'),
                timeoutMs: 10000,
            });
            return {
                media_key: toHex(out.mediaKey),
                file_sha256: toHex(out.fileSha256),
                file_enc_sha256: toHex(out.fileEncSha256),
                url: urls.mediaUrl,
                direct_path: urls.directPath,
            };
        } finally {
            await unlink(out.encFilePath);
        }
    },
    async download({ url, type, media_key }) {
        const stream = await media.downloadContentFromMessage({ mediaKey: fromHex(media_key), url }, type);
        return toHex(await media.toBuffer(stream));
    },
});
