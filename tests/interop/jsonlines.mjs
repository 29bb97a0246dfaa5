// The JSON-lines loop every oracle shares: one request per stdin line, one answer per stdout line.
//
// Request:  {"id": N, "op": NAME, ...arguments}
// Answer:   {"id": N, "ok": true, "result": ...} or {"id": N, "ok": false, "error": "..."}
//
// Importing this module first also sends every console method to stderr, so that nothing a peer
// library logs can corrupt the protocol stream on stdout.
import { createInterface } from 'node:readline';

for (const name of ['log', 'info', 'warn', 'debug', 'trace', 'dir']) {
    console[name] = (...args) => console.error(...args);
}

// Answers requests with ops[request.op](request), strictly in order, until stdin ends.
export async function serve(ops) {
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
        if (!line.trim()) {
            continue;
        }
        let id = null;
        let answer;
        try {
            const request = JSON.parse(line);
            id = request.id ?? null;
            const op = ops[request.op];
            if (!op) {
                throw new Error(`unknown op ${JSON.stringify(request.op)}`);
            }
            answer = { id, ok: true, result: await op(request) };
        } catch (err) {
            answer = { id, ok: false, error: String(err && err.stack ? err.stack : err) };
        }
        process.stdout.write(JSON.stringify(answer) + '\n');
    }
}
