/**
 * `npm run bench`: starts the stack (API + local gateway on a fresh database), load-client processes
 * and a Socket.IO baseline server, then for each N measures connect + auth, bid fan-out (with the API's
 * and the gateway's CPU per push and the gateway's memory per connection), per-user notifications and
 * the same fan-out on Socket.IO; then the auction-house phase (many auctions, each connection watching
 * one to three, bids at a steady rate) on Gavel and on Socket.IO rooms. Every phase also measures a bare
 * keep-alive HTTP POST's CPU, the unit of the API's CPU per push. Prints a table, writes
 * bench/results/<latest|quick|auction-house>.json and docs/benchmark.svg. Everything stops by itself —
 * also on error and on Ctrl-C.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { writeChart } from './chart.js';
import { ClientPool } from './client/client-pool.js';
import { parseBenchOptions, replicasDatabaseProblem, USAGE, UsageError, type BenchOptions } from './cli-options.js';
import { CONNECTIONS_PER_USER, type BenchContext } from './context.js';
import {
  BID_LIMIT_PER_SEC,
  gavelBidSender,
  maxInWindow,
  prepareAuctionHouse,
  runBids,
  socketIoBidSender,
  watchAuctions,
  WATCHES_PER_CONNECTION,
} from './phases/auction-house.js';
import { measureBarePost } from './phases/bare-post.js';
import { gavelBidTarget } from './phases/bid.js';
import { connectFigures, connectGavel, openConnections } from './phases/connect.js';
import { measureBurst, measureFanOut, type FanOutTarget } from './phases/fan-out.js';
import { measureLambdas } from './phases/lambdas.js';
import { measureNotifications, notificationCount } from './phases/notifications.js';
import { startSocketIoBaseline, type SocketIoBaseline } from './phases/socketio-baseline.js';
import { createUsers } from './phases/users.js';
import { cpuTimeMs, openFilesLimit, rssKb, waitUntilQuiet } from './proc-stats.js';
import { Progress } from './progress.js';
import type {
  AuctionHouseFigures,
  BenchResults,
  FanOutFigures,
  ReplicatedAuctionHouseFigures,
  RunFigures,
} from './results-schema.js';
import { createBenchDatabase, type BenchDatabase } from './stack/bench-database.js';
import { startStack, type BenchStack } from './stack/bench-stack.js';
import { HAPROXY } from './stack/haproxy.js';
import { startReplicaStack } from './stack/replica-stack.js';
import { summarize } from './stats.js';
import { formatNumber, fullReport } from './table.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The gateway's new-connection quota for the bench (AWS's default is 500/s): the connect phase measures Gavel, not the quota. */
const BENCH_NEW_CONNECTIONS_PER_SECOND = 100_000;
const BURST_BIDS = 10;
const SETTLE_MS = 1_000;
/** "Quiet" before a connect phase: all the bench's processes together below 5% of one core. */
const QUIET_BUSY_FRACTION = 0.05;
/** Rounds of connect attempts before the auction-house phase gives up on reaching its N. */
const CONNECT_ROUNDS = 4;
/** How long the API's CPU at rest is read before the auction-house bids. */
const IDLE_WINDOW_MS = 2_000;

const progress = new Progress();
const cleanups: Array<() => Promise<void> | void> = [];
let cleaningUp: Promise<void> | undefined;

function cleanUp(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        progress.log(`cleanup: ${describe(error)}`);
      }
    }
  })();
  return cleaningUp;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress.log(`\n${signal}: stopping the stack and the load clients`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) console.error(error.message);
      console.error(USAGE);
      process.exit(error.message ? 2 : 0);
    }
    throw error;
  }

  if (options.replicas !== undefined) {
    // Checked before anything starts: a run that fails after its one-copy half wastes the machine's time.
    const problem = replicasDatabaseProblem(process.env.DATABASE_URL);
    if (problem) throw new UsageError(problem);
    if (!existsSync(HAPROXY))
      throw new UsageError(`--replicas needs HAProxy at ${HAPROXY} (apt-get install haproxy; HAPROXY_PATH overrides)`);
  }

  const startedAt = new Date();
  const loadAtStart = loadavg()[0]!;
  const workDir = mkdtempSync(join(tmpdir(), 'gavel-bench-'));
  const keepWorkDir = { value: false };
  cleanups.push(() => {
    if (!keepWorkDir.value) rmSync(workDir, { recursive: true, force: true });
  });
  const maxN = Math.max(0, ...options.sizes, options.auctionHouse?.n ?? 0);
  // Each socket is a file descriptor: a client process holds its share of Gavel's and, during the
  // baseline, of Socket.IO's connections; the gateway holds all of Gavel's. Nothing is raised here.
  const fdLimit = openFilesLimit();
  const fdsNeeded = Math.max(Math.ceil((maxN * (options.socketIo ? 2 : 1)) / options.clients), maxN) + 256;
  if (fdLimit !== undefined && fdsNeeded > fdLimit) {
    throw new UsageError(
      `N = ${maxN} needs about ${fdsNeeded} open files per process but ulimit -n is ${fdLimit}: raise it (ulimit -n ${fdsNeeded}) or measure a smaller N`,
    );
  }
  const profileDir = options.profile ? join(repoRoot, 'bench/results/profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const database: BenchDatabase = await createBenchDatabase(process.env.DATABASE_URL, workDir);
  cleanups.push(() =>
    options.keepDb && database.kind === 'mysql' ? progress.log(`kept ${database.description}`) : database.drop(),
  );
  progress.log(
    `Gavel benchmark — ${options.sizes.length ? `N = ${options.sizes.join(', ')}` : 'no fan-out sizes'}${options.auctionHouse ? `; auction house at N = ${options.auctionHouse.n}` : ''}; ${database.description}; ${options.clients} load-client processes${options.replicas ? `; then the auction house again through HAProxy on ${options.replicas} API copies` : ''}`,
  );
  progress.log(
    `The gateway's new-connection quota is raised to ${BENCH_NEW_CONNECTIONS_PER_SECOND}/s for the bench (GATEWAY_NEW_CONNECTIONS_PER_SECOND; AWS's default is 500/s).`,
  );

  progress.update('starting the API and the gateway…');
  let stack: BenchStack;
  try {
    stack = await startStack({
      databaseUrl: database.url,
      newConnectionsPerSecond: BENCH_NEW_CONNECTIONS_PER_SECOND,
      workDir,
      cpuProfileDir: profileDir,
    });
  } catch (error) {
    keepWorkDir.value = true;
    throw error;
  }
  cleanups.push(() => stack.stop());
  const clients = ClientPool.start(options.clients);
  cleanups.push(() => clients.stop());
  const gatewayBaselineRssKb = rssKb(stack.gateway.pid);

  const usersNeeded = Math.ceil(maxN / CONNECTIONS_PER_USER);
  const users = await createUsers(stack.apiUrl, usersNeeded, progress);
  progress.log(
    `${users.length} users registered and logged in through the REST API (${CONNECTIONS_PER_USER} connections each)`,
  );
  const ctx: BenchContext = { options, stack, clients, progress, users, openConnections: 0 };

  let bidTarget: FanOutTarget | undefined;
  let bidUnavailable = '';
  try {
    if (options.sizes.length > 0) bidTarget = await gavelBidTarget(ctx);
  } catch (error) {
    bidUnavailable = describe(error);
    progress.log(`bid fan-out unavailable: ${bidUnavailable}`);
  }
  let socketIo: SocketIoBaseline | undefined;
  if (options.socketIo) {
    socketIo = await startSocketIoBaseline();
    cleanups.push(() => socketIo?.stop());
  }

  /** CPU time of the API and the gateway so far, in ms; given an earlier reading, the time used since. */
  const stackCpuMs = (since = { api: 0, gateway: 0 }): { api: number; gateway: number } => ({
    api: cpuTimeMs(stack.api.pid) - since.api,
    gateway: cpuTimeMs(stack.gateway.pid) - since.gateway,
  });
  const runs: RunFigures[] = [];
  const notes: string[] = [];
  for (const n of options.sizes) {
    const run: RunFigures = { n, skipped: {} };
    runs.push(run);

    // Connect + auth (only the connections this size adds; earlier ones stay open). After a previous size,
    // wait for every process to go quiet first: the Socket.IO server and the clients are still taking
    // down the connections its phase just closed, which stalled the first 250 ms of this phase (p50 ~180 ms).
    if (runs.length > 1) {
      const pids = [stack.api.pid, stack.gateway.pid, ...ctx.clients.pids, ...(socketIo ? [socketIo.pid] : [])];
      const waited = await waitUntilQuiet(pids, { busyFraction: QUIET_BUSY_FRACTION, windowMs: 250, maxMs: 10_000 });
      progress.log(`N = ${n}: the processes were quiet after ${formatNumber(waited / 1000)} s`);
    }
    const connectCpuBefore = stackCpuMs();
    const connect = await connectGavel(ctx, n);
    run.connect = connect.figures;
    if (connect.figures.count > 0) {
      const cpu = stackCpuMs(connectCpuBefore);
      run.connect.apiCpuUsPerConnection = (cpu.api * 1000) / connect.figures.count;
      run.connect.gatewayCpuUsPerConnection = (cpu.gateway * 1000) / connect.figures.count;
    }
    progress.log(
      `N = ${n}: +${connect.figures.count} connected and authenticated at ${formatNumber(connect.figures.achievedPerSec)}/s (offered ${options.connectRatePerSec}/s), p50 ${formatNumber(connect.figures.p50Ms)} ms, p99 ${formatNumber(connect.figures.p99Ms)} ms; API ${formatNumber(run.connect.apiCpuUsPerConnection)} µs CPU/connection, gateway ${formatNumber(run.connect.gatewayCpuUsPerConnection)} µs${connect.failures ? `; failures: ${connect.failures}` : ''}`,
    );
    if (ctx.openConnections < n)
      notes.push(`N = ${n}: only ${ctx.openConnections} connections were open (${connect.failures})`);
    await sleep(SETTLE_MS);
    run.gatewayRssKbPerConnection = (rssKb(stack.gateway.pid) - gatewayBaselineRssKb) / ctx.openConnections;

    // The unit of this size's "× bare POST" figures, measured now, on this machine, under its present load.
    progress.update(`N = ${n}: measuring a bare keep-alive POST…`);
    run.barePost = await measureBarePost();
    progress.log(
      `N = ${n}: a bare keep-alive HTTP POST costs ${formatNumber(run.barePost.cpuUsPerRequest)} µs CPU, its sender ${formatNumber(run.barePost.senderCpuUsPerRequest)} µs (${run.barePost.requests} requests; ${cpuModel()})`,
    );

    // One bid → every connection.
    if (bidTarget) {
      try {
        // Subscribing this size's new connections first: their subscribes are not pushes, and inside the
        // CPU window they made "CPU per push" several times dearer than the pushes are.
        progress.update(`N = ${n}: subscribing the connections to the benchmark auction…`);
        await bidTarget.prepare?.(ctx);
        const cpuBefore = stackCpuMs();
        const samples = await measureFanOut(ctx, bidTarget, options.reps, `N = ${n} Gavel bid fan-out`);
        const { api: apiCpu, gateway: gatewayCpu } = stackCpuMs(cpuBefore);
        const burst = await measureBurst(ctx, bidTarget, BURST_BIDS, `N = ${n} Gavel bid burst`);
        const summary = summarize(samples.latenciesMs);
        run.bid = {
          reps: samples.latenciesMs.length,
          p50Ms: summary.p50,
          p99Ms: summary.p99,
          missed: samples.missed + burst.missed,
          sustainedPerSec: burst.perSec,
          apiCpuUsPerPush: (apiCpu * 1000) / samples.delivered,
          gatewayCpuUsPerPush: (gatewayCpu * 1000) / samples.delivered,
        };
        run.bid.apiCpuPerPushInBarePosts = run.bid.apiCpuUsPerPush / run.barePost.cpuUsPerRequest;
        progress.log(
          `N = ${n}: bid → all received p50 ${formatNumber(summary.p50)} ms, p99 ${formatNumber(summary.p99)} ms; burst ${formatNumber(burst.perSec)} deliveries/s; API ${formatNumber(run.bid.apiCpuUsPerPush)} µs CPU/push (${formatNumber(run.bid.apiCpuPerPushInBarePosts)}× a bare POST), gateway ${formatNumber(run.bid.gatewayCpuUsPerPush)} µs`,
        );
      } catch (error) {
        run.skipped.bid = describe(error);
        progress.log(`N = ${n}: bid fan-out failed: ${run.skipped.bid}`);
      }
    } else {
      run.skipped.bid = bidUnavailable;
    }

    // Per-user notifications.
    try {
      const cpuBefore = stackCpuMs();
      run.notifications = await measureNotifications(ctx, notificationCount(ctx.openConnections, options.quick));
      if (run.notifications.deliveries > 0) {
        run.notifications.apiCpuUsPerPush = (stackCpuMs(cpuBefore).api * 1000) / run.notifications.deliveries;
        run.notifications.apiCpuPerPushInBarePosts = run.notifications.apiCpuUsPerPush / run.barePost.cpuUsPerRequest;
      }
      progress.log(
        `N = ${n}: ${run.notifications.notifications} notifications → ${run.notifications.deliveries} deliveries at ${formatNumber(run.notifications.deliveredPerSec)}/s, p50 ${formatNumber(run.notifications.p50Ms)} ms, p99 ${formatNumber(run.notifications.p99Ms)} ms; API ${formatNumber(run.notifications.apiCpuUsPerPush)} µs CPU/delivery (${formatNumber(run.notifications.apiCpuPerPushInBarePosts)}× a bare POST)`,
      );
    } catch (error) {
      run.skipped.notifications = describe(error);
      progress.log(`N = ${n}: notifications failed: ${run.skipped.notifications}`);
    }

    // The same fan-out on a plain Socket.IO server.
    if (socketIo) {
      try {
        run.socketIo = await measureSocketIo(ctx, socketIo, n);
        if (run.bid && run.socketIo.p50Ms > 0) run.ratio = run.bid.p50Ms / run.socketIo.p50Ms;
        progress.log(
          `N = ${n}: Socket.IO io.emit → all received p50 ${formatNumber(run.socketIo.p50Ms)} ms, p99 ${formatNumber(run.socketIo.p99Ms)} ms${run.ratio === undefined ? '' : `; Gavel / Socket.IO = ${formatNumber(run.ratio)}×`}`,
        );
      } catch (error) {
        run.skipped.socketIo = describe(error);
        progress.log(`N = ${n}: Socket.IO baseline failed: ${run.skipped.socketIo}`);
      }
    }
  }

  let auctionHouse: AuctionHouseFigures | undefined;
  let auctionHouseSkipped: string | undefined;
  if (options.auctionHouse) {
    try {
      if (runs.length > 0) {
        const pids = [stack.api.pid, stack.gateway.pid, ...ctx.clients.pids, ...(socketIo ? [socketIo.pid] : [])];
        await waitUntilQuiet(pids, { busyFraction: QUIET_BUSY_FRACTION, windowMs: 250, maxMs: 10_000 });
      }
      auctionHouse = (await measureAuctionHouse(ctx, options.auctionHouse, socketIo)).figures;
    } catch (error) {
      auctionHouseSkipped = describe(error);
      progress.log(`auction house failed: ${auctionHouseSkipped}`);
    }
  }

  // --replicas K: the same phase again, on K API copies behind HAProxy on the same database. The one-copy
  // stack stops first (its connections closed), so the two rows never share the machine's cores.
  let auctionHouseReplicas: ReplicatedAuctionHouseFigures | undefined;
  let auctionHouseReplicasSkipped: string | undefined;
  if (options.auctionHouse && options.replicas !== undefined) {
    try {
      progress.update('auction house: closing the one-copy connections and stopping that stack…');
      await ctx.clients.all((_, id) => ({ type: 'close', id, system: 'gavel' }));
      ctx.openConnections = 0;
      await stack.stop();
      progress.update(`starting ${options.replicas} API copies, HAProxy and the gateway…`);
      const replicaStack = await startReplicaStack({
        databaseUrl: database.url,
        newConnectionsPerSecond: BENCH_NEW_CONNECTIONS_PER_SECOND,
        workDir,
        cpuProfileDir: profileDir,
        copies: options.replicas,
      });
      cleanups.push(() => replicaStack.stop());
      ctx.stack = replicaStack;
      progress.log(
        `auction house: ${options.replicas} API copies behind HAProxy at ${replicaStack.apiUrl} (the Lambdas call through it), same database`,
      );
      const measured = await measureAuctionHouse(ctx, options.auctionHouse, undefined);
      auctionHouseReplicas = {
        copies: options.replicas,
        balancer: 'haproxy',
        apiCpuMsPerCopy: measured.apiCpuMsPerCopy,
        auctionHouse: measured.figures,
      };
    } catch (error) {
      keepWorkDir.value = true;
      auctionHouseReplicasSkipped = describe(error);
      progress.log(
        `auction house on ${options.replicas} copies failed: ${auctionHouseReplicasSkipped} (logs kept in ${workDir})`,
      );
    }
  }

  progress.update('measuring the Lambda bundles…');
  const lambdas = measureLambdas();
  progress.done();

  const results: BenchResults = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(totalmem() / 2 ** 20),
      node: process.versions.node,
      platform: `${process.platform} ${process.arch}`,
      loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    },
    database: database.kind,
    settings: {
      clients: options.clients,
      reps: options.reps,
      connectRatePerSec: options.connectRatePerSec,
      gatewayNewConnectionsPerSecond: BENCH_NEW_CONNECTIONS_PER_SECOND,
      usersPerConnection: 1 / CONNECTIONS_PER_USER,
      notificationConcurrency: options.notificationConcurrency,
    },
    runs,
    ...(auctionHouse ? { auctionHouse } : {}),
    ...(auctionHouseSkipped ? { auctionHouseSkipped } : {}),
    ...(auctionHouseReplicas ? { auctionHouseReplicas } : {}),
    ...(auctionHouseReplicasSkipped ? { auctionHouseReplicasSkipped } : {}),
    lambdas,
    notes,
  };
  const resultFile = join(repoRoot, 'bench/results', `${options.resultName}.json`);
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(resultFile, json);
  // The latest run per database too, so the SQLite and the MySQL figures can be kept side by side.
  const fullRun = options.resultName === 'latest';
  if (fullRun) writeFileSync(join(repoRoot, 'bench/results', `latest-${database.kind}.json`), json);
  if (fullRun && runs.length > 0) writeChart(results, join(repoRoot, 'docs/benchmark.svg'));

  console.log(`\n${fullReport(results)}\n`);
  progress.log(
    `Results: ${resultFile}${fullRun && runs.length > 0 ? ' and docs/benchmark.svg' : ''}${profileDir ? `; CPU profiles in ${profileDir}` : ''}`,
  );
}

/** Opens N Socket.IO connections in the same client processes, measures the fan-out, closes them again. */
async function measureSocketIo(ctx: BenchContext, socketIo: SocketIoBaseline, n: number): Promise<FanOutFigures> {
  const connected = connectFigures(
    await openConnections(ctx, 'socketio', socketIo.url, n, () => [], Math.max(ctx.options.connectRatePerSec, 2_000)),
    0,
  );
  try {
    if (connected.count < n) throw new Error(`only ${connected.count} of ${n} Socket.IO connections opened`);
    const samples = await measureFanOut(ctx, socketIo.target, ctx.options.reps, `N = ${n} Socket.IO fan-out`);
    const burst = await measureBurst(ctx, socketIo.target, BURST_BIDS, `N = ${n} Socket.IO burst`);
    const summary = summarize(samples.latenciesMs);
    return {
      reps: samples.latenciesMs.length,
      p50Ms: summary.p50,
      p99Ms: summary.p99,
      missed: samples.missed + burst.missed,
      sustainedPerSec: burst.perSec,
    };
  } finally {
    await ctx.clients.all((_, id) => ({ type: 'close', id, system: 'socketio' }));
  }
}

/**
 * The auction-house phase: tops the Gavel connections up to N, has each watch 1–3 of the auctions,
 * sends the planned bids through the REST API and measures; then the same on Socket.IO rooms.
 */
async function measureAuctionHouse(
  ctx: BenchContext,
  settings: NonNullable<BenchOptions['auctionHouse']>,
  socketIo: SocketIoBaseline | undefined,
): Promise<{ figures: AuctionHouseFigures; apiCpuMsPerCopy: number[] }> {
  const { progress, stack } = ctx;
  const apiPids = stack.apiCopies.map((copy) => copy.pid);
  const apiCpuMs = (): number => apiPids.reduce((sum, pid) => sum + cpuTimeMs(pid), 0);
  const copies = apiPids.length > 1 ? ` (${apiPids.length} copies)` : '';
  const world = await prepareAuctionHouse(ctx, settings);
  // Connecting is not what this phase measures: connections refused by a busy stack (an auth Lambda
  // timing out: 503) are tried again, a few rounds at most.
  for (let round = 1; round <= CONNECT_ROUNDS && ctx.openConnections < settings.n; round++) {
    const connect = await connectGavel(
      ctx,
      settings.n,
      round === 1 ? undefined : (i) => (i * 7 + round) % ctx.users.length,
    );
    progress.log(
      `auction house: +${connect.figures.count} Gavel connections at ${formatNumber(connect.figures.achievedPerSec)}/s${connect.failures ? `; failures: ${connect.failures}` : ''}`,
    );
  }
  const n = ctx.openConnections;
  if (n < settings.n) throw new Error(`only ${n} of ${settings.n} Gavel connections opened`);

  progress.update('auction house: measuring a bare keep-alive POST…');
  const barePost = await measureBarePost();
  const gavelWatch = await watchAuctions(ctx, 'gavel', world, settings.seed);
  progress.log(
    `auction house: ${n} Gavel connections hold ${gavelWatch.subscriptions} subscriptions to ${settings.auctions} auctions${Object.keys(gavelWatch.failures).length ? `; failed: ${JSON.stringify(gavelWatch.failures)}` : ''}`,
  );
  const pids = [...apiPids, stack.gateway.pid, ...ctx.clients.pids, ...(socketIo ? [socketIo.pid] : [])];
  await waitUntilQuiet(pids, { busyFraction: QUIET_BUSY_FRACTION, windowMs: 250, maxMs: 10_000 });
  const idleBefore = apiCpuMs();
  await sleep(IDLE_WINDOW_MS);
  const apiIdleCpuMsPerSec = ((apiCpuMs() - idleBefore) * 1000) / IDLE_WINDOW_MS;
  const gavelRun = await runBids(
    ctx,
    'gavel',
    world,
    gavelWatch.watchers,
    settings,
    gavelBidSender(ctx, world.bidders),
    [...apiPids, stack.gateway.pid],
    apiPids.length,
  );
  const gatewayCpuMs = gavelRun.cpuMs[apiPids.length]!;
  const gavel = {
    ...gavelRun.figures,
    gatewayCpuUsPerPush: gavelRun.figures.pushes ? (gatewayCpuMs * 1000) / gavelRun.figures.pushes : Number.NaN,
    apiCpuPerPushInBarePosts: gavelRun.figures.serverCpuUsPerPush / barePost.cpuUsPerRequest,
    apiIdleCpuMsPerSec,
  };
  progress.log(
    `auction house, Gavel${copies}: ${gavel.acceptedBids} bids accepted at ${formatNumber(gavel.achievedBidsPerSec)}/s${Object.keys(gavel.rejectedBids).length ? ` (not accepted: ${JSON.stringify(gavel.rejectedBids)})` : ''}; pushes per bid ${formatNumber(gavel.pushesPerBid)} = watchers ${formatNumber(gavel.watchersPerBid)}? ${gavel.mismatchedBids === 0 ? 'yes, for every bid' : `NO: ${gavel.mismatchedBids} bids differ (${gavel.missed} missed, ${gavel.surplus} surplus)`}; stray ${gavel.stray}, out of order ${gavel.outOfOrder}; bid → its watchers p50 ${formatNumber(gavel.p50Ms)} ms, p99 ${formatNumber(gavel.p99Ms)} ms; API${copies} ${formatNumber(gavel.serverCpuUsPerBid)} µs CPU per bid, ${formatNumber(gavel.serverCpuUsPerPush)} µs per push = ${formatNumber(gavel.apiCpuPerPushInBarePosts)}× a bare POST (${formatNumber(barePost.cpuUsPerRequest)} µs; its sender ${formatNumber(barePost.senderCpuUsPerRequest)} µs; ${cpuModel()})`,
  );

  const figures: AuctionHouseFigures = {
    n,
    auctions: settings.auctions,
    watchesPerConnection: { ...WATCHES_PER_CONNECTION },
    subscriptions: gavelWatch.subscriptions,
    subscribeFailures: gavelWatch.failures,
    offeredBidsPerSec: settings.ratePerSec,
    seconds: settings.seconds,
    seed: settings.seed,
    bidders: world.bidders.length,
    maxBidsPerBidderPerSec: Math.max(0, ...gavelRun.bidderSendTimes.map((times) => maxInWindow(times, 1_000))),
    bidRateLimitPerSec: BID_LIMIT_PER_SEC,
    barePost,
    gavel,
  };

  if (socketIo) {
    const connected = connectFigures(
      await openConnections(
        ctx,
        'socketio',
        socketIo.url,
        n,
        () => [],
        Math.max(ctx.options.connectRatePerSec, 2_000),
        gavelWatch.connectionsPerClient,
      ),
      0,
    );
    try {
      if (connected.count < n) throw new Error(`only ${connected.count} of ${n} Socket.IO connections opened`);
      const watch = await watchAuctions(ctx, 'socketio', world, settings.seed);
      if (watch.subscriptions !== gavelWatch.subscriptions)
        progress.log(
          `auction house: Socket.IO holds ${watch.subscriptions} subscriptions, Gavel ${gavelWatch.subscriptions}`,
        );
      await waitUntilQuiet(pids, { busyFraction: QUIET_BUSY_FRACTION, windowMs: 250, maxMs: 10_000 });
      const socketIoRun = await runBids(
        ctx,
        'socketio',
        world,
        watch.watchers,
        settings,
        socketIoBidSender(socketIo.url),
        [socketIo.pid],
      );
      figures.socketIo = socketIoRun.figures;
      if (socketIoRun.figures.p99Ms > 0) figures.p99Ratio = gavel.p99Ms / socketIoRun.figures.p99Ms;
      if (socketIoRun.figures.p50Ms > 0) figures.p50Ratio = gavel.p50Ms / socketIoRun.figures.p50Ms;
      progress.log(
        `auction house, Socket.IO rooms: pushes per bid ${formatNumber(socketIoRun.figures.pushesPerBid)} (${socketIoRun.figures.mismatchedBids} bids differ); p50 ${formatNumber(socketIoRun.figures.p50Ms)} ms, p99 ${formatNumber(socketIoRun.figures.p99Ms)} ms; Gavel / Socket.IO p99 = ${formatNumber(figures.p99Ratio)}×`,
      );
    } finally {
      await ctx.clients.all((_, id) => ({ type: 'close', id, system: 'socketio' }));
    }
  }
  return { figures, apiCpuMsPerCopy: gavelRun.cpuMs.slice(0, apiPids.length) };
}

function cpuModel(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

main()
  .catch(async (error: unknown) => {
    progress.done();
    const detail =
      error instanceof UsageError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    console.error(`bench failed: ${detail}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanUp();
    // Sockets and timers of the stopped children must not keep the harness alive.
    process.exit();
  });
