// What every script that drives a real Baileys socket needs: console on stderr, JSON-lines output,
// a logger that is silent unless BAILEYS_LOG=1, and an in-memory Signal key store.
//
// Import it before 'baileys' so its console redirect is in place before Baileys loads.
for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
  console[name] = (...args) => process.stderr.write(args.map(String).join(' ') + '\n');
}

// Writes one JSON object as one stdout line.
export const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

export const hex = (bytes) => Buffer.from(bytes).toString('hex');

// BAILEYS_LOG=1 sends Baileys' own log lines to stderr (for debugging a failing test).
const verbose = process.env.BAILEYS_LOG === '1';
const say = (level) => (obj, msg) =>
  verbose && process.stderr.write(`${level} ${msg ?? ''} ${JSON.stringify(obj ?? {})?.slice(0, 500)}\n`);
export const logger = {
  level: verbose ? 'trace' : 'silent',
  child() { return logger; },
  trace: say('trace'), debug: say('debug'), info: say('info'), warn: say('warn'),
  error: say('error'), fatal: say('fatal'),
};

// A SignalKeyStore (get/set by type and id) kept in memory for the life of the process.
export function memoryKeyStore() {
  const keys = new Map();
  return {
    async get(type, ids) {
      const out = {};
      for (const id of ids) {
        const v = keys.get(`${type}:${id}`);
        if (v !== undefined) out[id] = v;
      }
      return out;
    },
    async set(data) {
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, v] of Object.entries(entries)) {
          if (v) keys.set(`${type}:${id}`, v); else keys.delete(`${type}:${id}`);
        }
      }
    },
  };
}
