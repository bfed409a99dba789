/**
 * One bare keep-alive HTTP POST's CPU on this machine: the unit the API's CPU per push is divided by, so
 * the figure says how close Gavel comes to what the machine allows, whatever the machine's speed. The
 * server (bench/bare-post) runs in its own process; its CPU is read from /proc like the API's.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cpuTimeMs } from '../proc-stats.js';
import type { BarePostFigures } from '../results-schema.js';

/** Enough requests for the 10 ms /proc tick to stay below ~2 % of the figure. */
export const BARE_POST_REQUESTS = 20_000;
const WARM_UP_REQUESTS = 2_000;
/** Requests in flight at once over the keep-alive sockets (the API's push concurrency is of this order). */
const CONCURRENCY = 16;
/** About a `bid` frame's size. */
const BODY = Buffer.from(
  JSON.stringify({
    type: 'bid',
    id: '123456',
    ts: '2026-12-07T12:00:00.000Z',
    data: {
      auctionId: 42,
      bidId: 123456,
      seq: 17,
      amountCents: 123456,
      bidderId: 7,
      bidderName: 'Bench bidder',
      createdAt: '2026-12-07T12:00:00.000Z',
    },
  }),
);

export async function measureBarePost(requests = BARE_POST_REQUESTS): Promise<BarePostFigures> {
  const script = fileURLToPath(new URL('../bare-post/bare-post-server.js', import.meta.url));
  const guard = new URL('../stack/exit-with-parent.js', import.meta.url).href;
  const child = fork(script, [], { execArgv: ['--import', guard], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the bare POST server did not start within 10 s')), 10_000);
      child.once('message', (message: { type?: string; port?: number }) => {
        clearTimeout(timer);
        if (message.type === 'listening' && message.port) resolve(message.port);
        else reject(new Error('unexpected message from the bare POST server'));
      });
      child.once('exit', (code) => reject(new Error(`the bare POST server exited (${code})`)));
    });
    await postMany(agent, port, WARM_UP_REQUESTS);
    await sleep(200);
    const before = cpuTimeMs(child.pid!);
    await postMany(agent, port, requests);
    const used = cpuTimeMs(child.pid!) - before;
    const senderCpuUsPerRequest = await measureSender(port, requests);
    return { requests, cpuUsPerRequest: (used * 1000) / requests, senderCpuUsPerRequest };
  } finally {
    agent.destroy();
    if (child.exitCode === null) {
      child.disconnect();
      await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(5_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
}

/** The sending side of the same POSTs, in its own process (bench/bare-post/bare-post-sender.ts). */
async function measureSender(port: number, requests: number): Promise<number> {
  const script = fileURLToPath(new URL('../bare-post/bare-post-sender.js', import.meta.url));
  const guard = new URL('../stack/exit-with-parent.js', import.meta.url).href;
  const sender = fork(script, [String(port), String(requests), String(CONCURRENCY)], {
    execArgv: ['--import', guard],
    env: { ...process.env, BARE_POST_BODY: BODY.toString('utf8') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the bare POST sender did not finish within 120 s')), 120_000);
      sender.once('message', (message: { type?: string; cpuUsPerRequest?: number }) => {
        clearTimeout(timer);
        if (message.type === 'measured' && typeof message.cpuUsPerRequest === 'number')
          resolve(message.cpuUsPerRequest);
        else reject(new Error('unexpected message from the bare POST sender'));
      });
      sender.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the bare POST sender exited (${code}) before answering`));
      });
    });
  } finally {
    if (sender.exitCode === null) {
      await Promise.race([new Promise((resolve) => sender.once('exit', resolve)), sleep(5_000)]);
      if (sender.exitCode === null) sender.kill('SIGKILL');
    }
  }
}

async function postMany(agent: Agent, port: number, count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await postOnce(agent, port);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function postOnce(agent: Agent, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/@connections/bench',
        headers: { 'content-type': 'application/json', 'content-length': BODY.length },
      },
      (response) => {
        response.resume();
        response.once('end', () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`bare POST answered ${response.statusCode}`)),
        );
      },
    );
    req.once('error', reject);
    req.end(BODY);
  });
}
