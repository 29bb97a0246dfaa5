// 'baileys' as baileys_chat.mjs sees it under baileys_socket_hooks.mjs: the same exports, with a
// makeWASocket that also hands each new socket to globalThis.onBaileysSocket.
import makeWASocket from 'baileys';

export * from 'baileys';

export default function makeWatchedSocket(config) {
  const sock = makeWASocket(config);
  globalThis.onBaileysSocket?.(sock);
  return sock;
}
