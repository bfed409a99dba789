/**
 * `npm run bench:push`: the push path alone — the API's PushService and ManagementApiClient (this
 * process) broadcasting to N connections held by another process through the real local gateway
 * (a third process), with no API, Lambdas or database in between. Prints the time until the last
 * connection has each event and the CPU per push on each side: the loop for profiling the fan-out
 * (`--profile` writes a CPU profile of this process and of the gateway).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEV_DEFAULTS } from '@gavel/config';
import { ManagementApiClient } from '../../apps/api/src/modules/push/management-api/index.js';
import { PushStats } from '../../apps/api/src/modules/push/push-stats.js';
import {
  DEFAULT_PUSH_TUNING,
  PushService,
  type ConnectionDirectory,
} from '../../apps/api/src/modules/push/push.service.js';
import { epochNow } from '../clock.js';
import { cpuTimeMs } from '../proc-stats.js';
import { summarize } from '../stats.js';
import { formatNumber } from '../table.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '5000' },
    reps: { type: 'string', default: '20' },
    concurrency: { type: 'string' },
    sockets: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const n = Number(values.n);
const reps = Number(values.reps);
// Keep-alive sockets to the gateway; by default one per request in flight, as the API configures it.
const concurrency = values.concurrency ? Number(values.concurrency) : DEFAULT_PUSH_TUNING.concurrency;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const profileDir = `${repoRoot}bench/results/profiles`;
const guard = new URL('../stack/exit-with-parent.js', import.meta.url).href;

function forkChild(script: string, profileName?: string): ChildProcess {
  const profile = profileName ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', profileName] : [];
  return fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    execArgv: ['--import', guard, ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function ask<T>(child: ChildProcess, message: object): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (reply: { ok?: boolean; result?: T; message?: string }) =>
      reply.ok === false ? reject(new Error(reply.message)) : resolve(reply.result as T),
    );
    child.send(message);
  });
}

class InMemoryDirectory implements ConnectionDirectory {
  constructor(private readonly ids: string[]) {}
  async findConnectionIdsByUser(): Promise<string[]> {
    return [];
  }
  async pageConnectionIds(afterId: number, limit: number): Promise<{ id: number; connectionId: string }[]> {
    return this.ids.slice(afterId, afterId + limit).map((connectionId, i) => ({ id: afterId + i + 1, connectionId }));
  }
  async deleteByConnectionIds(connectionIds: string[]): Promise<number> {
    return connectionIds.length;
  }
}

if (values.profile) mkdirSync(profileDir, { recursive: true });
const gateway = forkChild('./gateway-process.js', values.profile ? 'push-path-gateway.cpuprofile' : undefined);
const holder = forkChild('./socket-holder.js');
try {
  const { url, managementUrl } = await new Promise<{ url: string; managementUrl: string }>((resolve) =>
    gateway.once('message', resolve),
  );
  const ids = await ask<string[]>(holder, { type: 'open', url, count: n });
  const api = new ManagementApiClient({
    endpoint: managementUrl.replace(/\/dev$/, ''),
    region: DEV_DEFAULTS.AWS_REGION,
    credentials: { accessKeyId: DEV_DEFAULTS.AWS_ACCESS_KEY_ID, secretAccessKey: DEV_DEFAULTS.AWS_SECRET_ACCESS_KEY },
    connections: values.sockets ? Number(values.sockets) : concurrency,
    requestTimeoutMs: 10_000,
  });
  const sockets = new PushService(
    api,
    new InMemoryDirectory(ids),
    { ...DEFAULT_PUSH_TUNING, concurrency },
    new PushStats(),
  );

  // Warm-up: JIT, keep-alive sockets.
  for (let i = 0; i < 3; i++)
    await sockets.broadcast({ type: 'bid', id: `warm-${i}`, ts: new Date().toISOString(), data: {} });
  await sleep(500);

  const session = values.profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const latencies: number[] = [];
  const driverCpuBefore = process.cpuUsage();
  const gatewayCpuBefore = cpuTimeMs(gateway.pid!);
  for (let rep = 0; rep < reps; rep++) {
    const event = {
      type: 'bid',
      id: `bench-${rep}`,
      ts: new Date().toISOString(),
      data: {
        auctionId: 1,
        bidId: rep,
        amountCents: 100_000 + rep,
        bidderId: 2,
        bidderName: 'Bench bidder',
        createdAt: new Date().toISOString(),
      },
    };
    const prepared = sockets.prepare(event);
    const sentAt = epochNow();
    const [report, receipts] = await Promise.all([
      sockets.broadcast(prepared),
      ask<{ count: number; last: number }>(holder, { type: 'await', key: prepared.payload.toString('utf8') }),
    ]);
    if (report.deliveredTo !== n || receipts.count !== n)
      throw new Error(`rep ${rep}: delivered ${report.deliveredTo}, received ${receipts.count} of ${n}`);
    latencies.push(receipts.last - sentAt);
    await sleep(100);
  }
  const driverCpu = process.cpuUsage(driverCpuBefore);
  const gatewayCpuMs = cpuTimeMs(gateway.pid!) - gatewayCpuBefore;
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(`${profileDir}/push-path-driver.cpuprofile`, JSON.stringify(profile));
  }
  const pushes = n * reps;
  const summary = summarize(latencies);
  console.log(
    `push path, N = ${n}, ${reps} broadcasts, concurrency ${concurrency}: last delivery p50 ${formatNumber(summary.p50)} ms, p99 ${formatNumber(summary.p99)} ms; ` +
      `CPU per push: API side ${formatNumber((driverCpu.user + driverCpu.system) / pushes)} µs, gateway ${formatNumber((gatewayCpuMs * 1000) / pushes)} µs`,
  );
  await api.close();
} finally {
  // Disconnecting lets the children exit normally (exit-with-parent), which writes the gateway's CPU profile.
  await Promise.all(
    [gateway, holder].map(async (child) => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }),
  );
}
