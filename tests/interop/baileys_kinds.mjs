// baileys_chat.mjs (same arguments, requests and events) plus the message kinds moderation needs.
//
// More requests on stdin (`key` is a Baileys message key {remoteJid, fromMe, id, participant}):
//   {"op":"reply","to","text","quoted":{key, message},"mentions":[jid...]}  a quoted reply
//   {"op":"react","to","key","emoji"} / {"op":"edit","to","key","text"} / {"op":"revoke","to","key"}
//   each answered {"event":"kind_sent","op","id"} or {"event":"kind_error","op","error"}
// More events on stdout:
//   {"event":"revoked","id","chat","by"}           a message deleted for everyone (by: participant)
//   {"event":"reaction","id","chat","emoji","from"} a reaction to message `id`
//   {"event":"edited","id","chat","text"}           message `id` edited to `text`
//   {"event":"context","id","chat","quoted","quoted_participant","mentions"}  a reply's context
//
// The socket is caught as baileys_chat.mjs makes it (baileys_socket_hooks.mjs), and the requests
// above are taken off stdin before baileys_chat.mjs reads it; the rest is passed on unchanged.
import { register } from 'node:module';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { emit } from './baileys_harness.mjs';
import { WAMessageStubType } from 'baileys';

register('./baileys_socket_hooks.mjs', import.meta.url);

let sock = null;
globalThis.onBaileysSocket = (made) => {
  sock = made;
  made.ev.on('messages.update', (updates) => {
    for (const { key, update } of updates) {
      if (update.messageStubType === WAMessageStubType.REVOKE) {
        emit({ event: 'revoked', id: key.id, chat: key.remoteJid, by: update.key?.participant ?? null });
      }
      const edited = update.message?.editedMessage?.message?.protocolMessage?.editedMessage
        ?? update.message?.editedMessage?.message;
      if (edited) {
        const text = edited.conversation ?? edited.extendedTextMessage?.text ?? null;
        emit({ event: 'edited', id: key.id, chat: key.remoteJid, text });
      }
    }
  });
  made.ev.on('messages.reaction', (reactions) => {
    for (const { key, reaction } of reactions) {
      const from = reaction.key?.participant ?? reaction.key?.remoteJid ?? null;
      emit({ event: 'reaction', id: key.id, chat: key.remoteJid, emoji: reaction.text ?? '', from });
    }
  });
  made.ev.on('messages.upsert', ({ messages }) => {
    for (const m of messages) {
      const context = m.message?.extendedTextMessage?.contextInfo;
      if (!context) continue;
      emit({
        event: 'context', id: m.key.id, chat: m.key.remoteJid, quoted: context.stanzaId ?? null,
        quoted_participant: context.participant ?? null, mentions: context.mentionedJid ?? [],
      });
    }
  });
};

const OPS = {
  reply: ({ to, text, quoted, mentions }) => sock.sendMessage(to, { text, mentions }, { quoted }),
  react: ({ to, key, emoji }) => sock.sendMessage(to, { react: { text: emoji, key } }),
  edit: ({ to, key, text }) => sock.sendMessage(to, { text, edit: key }),
  revoke: ({ to, key }) => sock.sendMessage(to, { delete: key }),
};

const stdin = process.stdin;
const passedOn = new PassThrough();
Object.defineProperty(process, 'stdin', { value: passedOn, configurable: true });
createInterface({ input: stdin, crlfDelay: Infinity }).on('line', async (line) => {
  const request = line.trim() ? JSON.parse(line) : null;
  if (!request || !Object.hasOwn(OPS, request.op)) {
    passedOn.write(`${line}\n`);
    return;
  }
  try {
    const sent = await OPS[request.op](request);
    emit({ event: 'kind_sent', op: request.op, id: sent.key.id });
  } catch (err) {
    emit({ event: 'kind_error', op: request.op, error: String(err?.stack ?? err) });
  }
}).on('close', () => passedOn.end());

await import('./baileys_chat.mjs');
