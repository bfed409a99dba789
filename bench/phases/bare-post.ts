/**
 * One bare keep-alive HTTP POST's CPU on this machine: the unit the API's CPU per push is divided by, so
 * the figure says how close Gavel comes to what the machine allows, whatever the machine's speed. The
 * server (bench/bare-post) runs in its own process; its CPU is read from /proc like the API's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cpuTimeMs } from '../proc-stats.js';
import { median } from '../stats.js';
import { stopChild } from '../stack/bench-stack.js';
import type { BarePostFigures } from '../results-schema.js';

/** Requests measured in all, over BARE_POST_SLICES slices. */
export const BARE_POST_REQUESTS = 40_000;
/**
 * The figure is the median of this many slices' CPU per request: a shared VM's neighbours steal time in
 * bursts, and one 20,000-request measurement moved between 31 and 52 µs on the same machine within minutes.
 * Each slice (5,000 requests) is long enough for the 10 ms /proc tick to stay near 5 % of it.
 */
export const BARE_POST_SLICES = 8;
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
  const child = forkGuarded('bare-post-server.js', []);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const port = await reply(child, 'the bare POST server', 10_000, (message: { type?: string; port?: number }) =>
      message.type === 'listening' && message.port ? message.port : undefined,
    );
    await postMany(agent, port, WARM_UP_REQUESTS);
    await sleep(200);
    const perSlice = Math.ceil(requests / BARE_POST_SLICES);
    const slices: number[] = [];
    for (let slice = 0; slice < BARE_POST_SLICES; slice++) {
      const before = cpuTimeMs(child.pid!);
      await postMany(agent, port, perSlice);
      slices.push(((cpuTimeMs(child.pid!) - before) * 1000) / perSlice);
    }
    const senderCpuUsPerRequest = await measureSender(port, perSlice, BARE_POST_SLICES);
    return {
      requests: perSlice * BARE_POST_SLICES,
      cpuUsPerRequest: median(slices),
      cpuUsPerRequestRange: [Math.min(...slices), Math.max(...slices)],
      senderCpuUsPerRequest,
    };
  } finally {
    agent.destroy();
    await stopChild(child);
  }
}

/** The sending side of the same POSTs, in its own process (bench/bare-post/bare-post-sender.ts): the median slice. */
async function measureSender(port: number, perSlice: number, slices: number): Promise<number> {
  const sender = forkGuarded(
    'bare-post-sender.js',
    [String(port), String(perSlice), String(CONCURRENCY), String(slices)],
    { BARE_POST_BODY: BODY.toString('utf8') },
  );
  try {
    return await reply(
      sender,
      'the bare POST sender',
      120_000,
      (message: { type?: string; cpuUsPerRequest?: number }) =>
        message.type === 'measured' && typeof message.cpuUsPerRequest === 'number'
          ? message.cpuUsPerRequest
          : undefined,
    );
  } finally {
    await stopChild(sender);
  }
}

/** A script of bench/bare-post, forked so that it exits when the harness goes away. */
function forkGuarded(name: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return fork(fileURLToPath(new URL(`../bare-post/${name}`, import.meta.url)), args, {
    execArgv: ['--import', new URL('../stack/exit-with-parent.js', import.meta.url).href],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The child's first IPC message, as `pick` reads it (undefined: not the expected message). */
function reply<M, T>(
  child: ChildProcess,
  what: string,
  timeoutMs: number,
  pick: (message: M) => T | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
    child.once('message', (message: M) => {
      clearTimeout(timer);
      const value = pick(message);
      if (value === undefined) reject(new Error(`unexpected message from ${what}`));
      else resolve(value);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before answering`));
    });
  });
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
