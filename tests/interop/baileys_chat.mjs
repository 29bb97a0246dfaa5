// A real Baileys client that pairs with a botkit sandbox, logs in and chats 1:1.
//
// Usage: node baileys_chat.mjs WS_URL ROOT_PUBLIC_KEY_HEX [reconnect]
// Prints one JSON object per line on stdout:
//   {"event":"qr","qr":...}                               each QR code Baileys shows
//   {"event":"restart","status":515}                      the restart after pairing
//   {"event":"open","me":...,"lid":...}                   connection: 'open' reached
//   {"event":"message","id","from","participant","fromMe","text","stub"} each upserted message
//   {"event":"status","id","status"}                      a sent message's status (update or upsert)
//   {"event":"sent","id"} / {"event":"send_error","error"} the answer to a send request
//   {"event":"result","op","value"} / {"event":"op_error","op","status","error"}
//                                                         the answer to a group request
//   {"event":"participants","id","author","action","participants"}  group-participants.update
//   {"event":"group_update","id","author","announce","restrict","subject"}  groups.update
//   {"event":"revoked","id","chat","by"}            a message deleted for everyone (by: participant)
//   {"event":"reaction","id","chat","emoji","from"} a reaction to message `id`
//   {"event":"edited","id","chat","text"}           message `id` edited to `text`
//   {"event":"context","id","chat","quoted","quoted_participant","mentions"}  a reply's context
//   {"event":"presence","id","participant","presence","last_seen"}  presence.update, one line
//                                                         per participant (chat state included)
//   {"event":"presence_sent","op"} / {"event":"presence_error","op","error"}  a presence request
//   {"event":"close","status":...,"error":...}            the socket closed for good
//   {"event":"reconnecting","status":...}                 with "reconnect": a close other than
//                                                         logged out, retried 250 ms later
// Reads requests from stdin, one JSON object per line: {"op":"send","to":JID,"text":...};
// {"op":"echo"} to answer every text received from now on with the same text, one at a time
// and in order (bench/echo.py), answered {"event":"echoing"}; group requests call the socket
// method of the same name with "args" (a JSON array): {"op":"groupCreate","args":[subject,
// [jid,...]]}, groupMetadata, groupParticipantsUpdate, groupSettingUpdate, groupUpdateSubject,
// groupLeave, groupAcceptInvite. The message kinds moderation needs (`key` is a Baileys message
// key {remoteJid, fromMe, id, participant}): {"op":"reply","to","text","quoted":{key, message},
// "mentions":[jid...]} a quoted reply; {"op":"react","to","key","emoji"};
// {"op":"edit","to","key","text"}; {"op":"revoke","to","key"}; each answered
// {"event":"kind_sent","op","id"} or {"event":"kind_error","op","error"}. Presence:
// {"op":"sendPresenceUpdate","type":"available|unavailable|composing|recording|paused",
// "to":JID?,"name":...?} (Baileys announces availability only once it knows its push name,
// which it learns from app state the simulated phone never sends: "name" sets it first);
// {"op":"presenceSubscribe","to":JID}; each answered presence_sent or presence_error.
// console.* goes to stderr.
import { createInterface } from 'node:readline';
import { emit, logger, memoryKeyStore } from './baileys_harness.mjs';
import makeWASocket, {
  DisconnectReason, WA_CERT_DETAILS, WAMessageStubType, initAuthCreds,
} from 'baileys';

const [wsUrl, rootHex, mode] = process.argv.slice(2);
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootHex, 'hex');

const keyStore = memoryKeyStore();
const creds = initAuthCreds();
let sock = null;
let echoing = false;
let echoChain = Promise.resolve();

function connect() {
  sock = makeWASocket({
    waWebSocketUrl: wsUrl,
    auth: { creds, keys: keyStore },
    logger,
    printQRInTerminal: false,
    connectTimeoutMs: 15000,
    defaultQueryTimeoutMs: 15000,
    markOnlineOnConnect: false,
    // the simulated phone sends no history sync: without this Baileys buffers (and merges)
    // events for 20 s after its first login, waiting for one
    shouldSyncHistoryMessage: () => false,
  });
  sock.ev.on('creds.update', (update) => Object.assign(creds, update));
  sock.ev.on('messages.upsert', ({ messages }) => {
    for (const m of messages) {
      const text = m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? null;
      emit({
        event: 'message',
        id: m.key.id,
        from: m.key.remoteJid,
        participant: m.key.participant ?? null,
        fromMe: !!m.key.fromMe,
        text,
        stub: m.messageStubParameters ?? null,
      });
      // Baileys folds status updates into an upsert it still buffers: report them too
      if (m.key.fromMe && m.status != null) emit({ event: 'status', id: m.key.id, status: m.status });
      if (echoing && !m.key.fromMe && text !== null) {
        const to = m.key.remoteJid;
        echoChain = echoChain.then(() => sock.sendMessage(to, { text })).catch(
          (err) => emit({ event: 'send_error', error: String(err) }),
        );
      }
    }
  });
  sock.ev.on('messages.update', (updates) => {
    for (const { key, update } of updates) {
      if (update.status !== undefined) emit({ event: 'status', id: key.id, status: update.status });
    }
  });
  watchKinds(sock);
  sock.ev.on('presence.update', ({ id, presences }) => {
    for (const [participant, p] of Object.entries(presences)) {
      emit({
        event: 'presence', id, participant, presence: p.lastKnownPresence,
        last_seen: p.lastSeen ?? null,
      });
    }
  });
  sock.ev.on('group-participants.update', ({ id, author, action, participants }) => {
    const jids = participants.map((p) => (typeof p === 'string' ? p : p.id));
    emit({ event: 'participants', id, author: author ?? null, action, participants: jids });
  });
  sock.ev.on('groups.update', (updates) => {
    for (const u of updates) {
      emit({
        event: 'group_update', id: u.id, author: u.author ?? null,
        announce: u.announce ?? null, restrict: u.restrict ?? null, subject: u.subject ?? null,
      });
    }
  });
  sock.ev.on('connection.update', (update) => {
    if (update.qr) emit({ event: 'qr', qr: update.qr });
    if (update.connection === 'open') emit({ event: 'open', me: creds.me?.id ?? null, lid: creds.me?.lid ?? null });
    if (update.connection !== 'close') return;
    const err = update.lastDisconnect?.error;
    const status = err?.output?.statusCode ?? null;
    if (status === DisconnectReason.restartRequired) {
      emit({ event: 'restart', status });
      connect();
      return;
    }
    if (mode === 'reconnect' && status !== DisconnectReason.loggedOut) {
      emit({ event: 'reconnecting', status });
      setTimeout(connect, 250);
      return;
    }
    emit({ event: 'close', status, error: err ? String(err.message ?? err) : null });
    process.exit(0);
  });
}

// The message kinds moderation needs, as events: revokes, edits, reactions, replies' context.
function watchKinds(made) {
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
}

const KIND_OPS = {
  reply: ({ to, text, quoted, mentions }) => sock.sendMessage(to, { text, mentions }, { quoted }),
  react: ({ to, key, emoji }) => sock.sendMessage(to, { react: { text: emoji, key } }),
  edit: ({ to, key, text }) => sock.sendMessage(to, { text, edit: key }),
  revoke: ({ to, key }) => sock.sendMessage(to, { delete: key }),
};

async function kindRequest(request) {
  try {
    const sent = await KIND_OPS[request.op](request);
    emit({ event: 'kind_sent', op: request.op, id: sent.key.id });
  } catch (err) {
    emit({ event: 'kind_error', op: request.op, error: String(err?.stack ?? err) });
  }
}

const PRESENCE_OPS = {
  sendPresenceUpdate: ({ type, to, name }) => {
    if (name) creds.me = { ...creds.me, name };
    return sock.sendPresenceUpdate(type, to ?? undefined);
  },
  presenceSubscribe: ({ to }) => sock.presenceSubscribe(to),
};

async function presenceRequest(request) {
  try {
    await PRESENCE_OPS[request.op](request);
    emit({ event: 'presence_sent', op: request.op });
  } catch (err) {
    emit({ event: 'presence_error', op: request.op, error: String(err?.stack ?? err) });
  }
}

connect();
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
const GROUP_OPS = new Set([
  'groupCreate', 'groupMetadata', 'groupParticipantsUpdate', 'groupSettingUpdate',
  'groupUpdateSubject', 'groupLeave', 'groupAcceptInvite',
]);

async function groupRequest(request) {
  try {
    const value = await sock[request.op](...request.args);
    const plain = JSON.parse(JSON.stringify(value ?? null, (k, v) => (k === 'content' ? undefined : v)));
    emit({ event: 'result', op: request.op, value: plain });
  } catch (err) {
    const status = err?.output?.statusCode ?? null;
    emit({ event: 'op_error', op: request.op, status, error: String(err?.message ?? err) });
  }
}

lines.on('line', async (line) => {
  if (!line.trim()) return;
  const request = JSON.parse(line);
  if (GROUP_OPS.has(request.op)) {
    await groupRequest(request);
    return;
  }
  if (Object.hasOwn(KIND_OPS, request.op)) {
    await kindRequest(request);
    return;
  }
  if (Object.hasOwn(PRESENCE_OPS, request.op)) {
    await presenceRequest(request);
    return;
  }
  try {
    if (request.op === 'echo') {
      echoing = true;
      emit({ event: 'echoing' });
      return;
    }
    if (request.op !== 'send') throw new Error(`unknown op ${request.op}`);
    const sent = await sock.sendMessage(request.to, { text: request.text });
    emit({ event: 'sent', id: sent.key.id });
  } catch (err) {
    emit({ event: 'send_error', error: String(err && err.stack ? err.stack : err) });
  }
});
lines.on('close', () => process.exit(0));
