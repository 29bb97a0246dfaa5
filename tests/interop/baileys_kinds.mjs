// The former name of baileys_chat.mjs, kept for scripts and tests that still use it:
// baileys_chat.mjs now takes the message-kind requests and reports those events itself.
import './baileys_chat.mjs';
