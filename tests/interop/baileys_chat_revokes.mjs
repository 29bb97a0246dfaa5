// baileys_chat.mjs (same arguments, requests and events), also reporting each message deleted
// for everyone as it reaches the app:
//   {"event":"revoked","id","chat","by"}   `id` in `chat` was revoked by `by` (a participant)
//
// Baileys reports a revoke as a `messages.update` whose stub type is REVOKE. baileys_chat.mjs
// keeps its socket to itself, so this script watches every EventEmitter's `messages.update`
// (Baileys' event buffer is one) and then runs baileys_chat.mjs unchanged.
import { EventEmitter } from 'node:events';
import { emit } from './baileys_harness.mjs';
import { WAMessageStubType } from 'baileys';

const forward = EventEmitter.prototype.emit;
EventEmitter.prototype.emit = function watch(name, ...args) {
  if (name === 'messages.update' && Array.isArray(args[0])) {
    for (const { key, update } of args[0]) {
      if (update?.messageStubType === WAMessageStubType.REVOKE) {
        emit({ event: 'revoked', id: key.id, chat: key.remoteJid, by: update.key?.participant ?? null });
      }
    }
  }
  return forward.call(this, name, ...args);
};

await import('./baileys_chat.mjs');
