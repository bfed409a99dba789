/** Holds N WebSocket connections to the gateway (forked by push-path/run.ts) and reports when frames arrive. */
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { epochNow } from '../clock.js';

interface Command {
  type: 'open' | 'await';
  url?: string;
  count?: number;
  key?: string;
  timeoutMs?: number;
}

const sockets: WebSocket[] = [];
const receipts = new Map<string, { count: number; last: number }>();

async function open(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 200) {
    const batch = Array.from(
      { length: Math.min(200, count - i) },
      () =>
        new Promise<string>((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          ws.once('open', () => ws.send('whoami'));
          ws.once('error', reject);
          ws.once('message', (data: Buffer) => {
            sockets.push(ws);
            ws.on('message', (frame: Buffer) => {
              const at = epochNow();
              const key = frame.toString('utf8');
              const entry = receipts.get(key);
              if (entry) {
                entry.count++;
                entry.last = at;
              } else receipts.set(key, { count: 1, last: at });
            });
            resolve(data.toString('utf8'));
          });
        }),
    );
    ids.push(...(await Promise.all(batch)));
  }
  return ids;
}

async function awaitKey(key: string, timeoutMs: number): Promise<{ count: number; last: number }> {
  const deadline = epochNow() + timeoutMs;
  while ((receipts.get(key)?.count ?? 0) < sockets.length && epochNow() < deadline) await sleep(2);
  const result = receipts.get(key) ?? { count: 0, last: 0 };
  receipts.delete(key);
  return result;
}

process.on('message', (command: Command) => {
  const run =
    command.type === 'open' ? open(command.url!, command.count!) : awaitKey(command.key!, command.timeoutMs ?? 30_000);
  run.then(
    (result) => process.send?.({ ok: true, result }),
    (error: unknown) => process.send?.({ ok: false, message: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
