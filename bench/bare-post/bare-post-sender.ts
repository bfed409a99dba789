/**
 * The other end of the yardstick: the least a push can cost the API. Sends the same small keep-alive
 * POSTs to the bare server through undici's dispatch API (the transport the API's pushes use), with no
 * SigV4 signature, no SDK and no bookkeeping, and reports its own CPU per request: the median of `<slices>`
 * slices of `<requests>` each (see BARE_POST_SLICES). Forked by the harness with
 * `<port> <requests> <concurrency> <slices>`; answers over IPC and exits.
 */
import { Pool } from 'undici';
import { median } from '../stats.js';

const [port, requests, concurrency, slices] = process.argv.slice(2).map(Number);
if (!port || !requests || !concurrency || !slices)
  throw new Error('usage: bare-post-sender <port> <requests> <concurrency> <slices>');

const body = Buffer.from(process.env.BARE_POST_BODY ?? '{}');
const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 });

function postOnce(): Promise<void> {
  return new Promise((resolve, reject) => {
    let status = 0;
    pool.dispatch(
      {
        method: 'POST',
        path: '/@connections/bench',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
        body,
      },
      {
        onRequestStart: () => undefined,
        onResponseStart: (_controller, statusCode) => {
          status = statusCode;
        },
        onResponseData: () => undefined,
        onResponseEnd: () => (status === 200 ? resolve() : reject(new Error(`bare POST answered ${status}`))),
        onResponseError: (_controller, error) => reject(error),
      },
    );
  });
}

async function postMany(count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await postOnce();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

await postMany(Math.ceil(requests / 10));
const perSlice: number[] = [];
for (let slice = 0; slice < slices; slice++) {
  const before = process.cpuUsage();
  await postMany(requests);
  const used = process.cpuUsage(before);
  perSlice.push((used.user + used.system) / requests);
}
process.send?.({ type: 'measured', cpuUsPerRequest: median(perSlice) });
await pool.close();
process.disconnect?.();
