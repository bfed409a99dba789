/**
 * A load-client process (forked by the harness): opens many WebSocket connections — Gavel's through
 * the gateway with `ws`, or Socket.IO's with socket.io-client — and records when each frame arrives.
 * It does only what the harness asks over IPC and exits when the harness goes away.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { epochNow } from '../clock.js';
import { pickDistinct, randomInt, seededRandom } from '../seeded-random.js';
import type {
  AwaitAuctionBidsCommand,
  AwaitAuctionBidsResult,
  AwaitBidsCommand,
  AwaitBidsResult,
  BidReceipts,
  ClientCommand,
  ClientReply,
  CloseResult,
  CollectNotificationsResult,
  ConnectCommand,
  ConnectResult,
  SystemUnderTest,
  WatchCommand,
  WatchResult,
  WatchSetCommand,
  WatchSetResult,
} from './protocol.js';

interface OpenConnection {
  close(): Promise<void>;
  ping(): void;
  /** Sends `subscribe` and resolves once confirmed (Gavel: the `subscribed` frame; Socket.IO: the ack). */
  subscribe(auctionId: number | string, timeoutMs: number): Promise<void>;
  /** Auctions this connection is confirmed watching, and the last bid `seq` it got of each. */
  readonly watched: Set<string>;
  readonly lastSeq: Map<string, number>;
}

/** Per system: bid frames for an auction the connection does not watch, and frames whose seq went backwards. */
const anomalies: Record<SystemUnderTest, { stray: number; outOfOrder: number }> = {
  gavel: { stray: 0, outOfOrder: 0 },
  socketio: { stray: 0, outOfOrder: 0 },
};
/** Per system, after the last watch-set: auction id → this process's connections watching it. */
const localWatchers: Record<SystemUnderTest, Map<string, number>> = { gavel: new Map(), socketio: new Map() };

/** Connections already subscribed, per auction. */
const watching = new Map<string, WeakSet<OpenConnection>>();

const open: Record<SystemUnderTest, Set<OpenConnection>> = { gavel: new Set(), socketio: new Set() };
const bidReceipts: Record<SystemUnderTest, Map<number, BidReceipts>> = { gavel: new Map(), socketio: new Map() };
let notificationLatencies: number[] = [];
let lastNotificationAt = 0;

// API Gateway closes a connection after 10 idle minutes; a ping control frame counts as activity.
const KEEP_ALIVE_MS = 4 * 60_000;
setInterval(() => {
  for (const connection of open.gavel) connection.ping();
}, KEEP_ALIVE_MS).unref();

function reply(message: ClientReply): void {
  process.send?.(message);
}

function recordBid(system: SystemUnderTest, key: number, at: number): void {
  const receipts = bidReceipts[system];
  const entry = receipts.get(key);
  if (entry) {
    entry.count++;
    entry.last = at;
  } else {
    receipts.set(key, { count: 1, first: at, last: at });
  }
}

interface BidData {
  auctionId?: number | string;
  seq?: number;
  amountCents?: number;
}

/** A bid frame on one connection: its receipt, and whether it belonged there and came in order. */
function onBid(system: SystemUnderTest, connection: OpenConnection, data: BidData | undefined, at: number): void {
  if (typeof data?.amountCents !== 'number') return;
  recordBid(system, data.amountCents, at);
  const auction = String(data.auctionId);
  if (!connection.watched.has(auction)) anomalies[system].stray++;
  if (typeof data.seq === 'number') {
    if (data.seq <= (connection.lastSeq.get(auction) ?? 0)) anomalies[system].outOfOrder++;
    else connection.lastSeq.set(auction, data.seq);
  }
}

/** One frame on an authenticated Gavel connection. */
function onGavelFrame(connection: OpenConnection, text: string, at: number): void {
  let frame: { type?: string; data?: BidData & { data?: { sentAt?: number } } };
  try {
    frame = JSON.parse(text) as typeof frame;
  } catch {
    return;
  }
  if (frame.type === 'bid') onBid('gavel', connection, frame.data, at);
  else if (frame.type === 'notification' && typeof frame.data?.data?.sentAt === 'number') {
    notificationLatencies.push(at - frame.data.data.sentAt);
    lastNotificationAt = at;
  }
}

function openGavel(url: string, token: string, timeoutMs: number): Promise<OpenConnection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, headers: { 'user-agent': 'gavel-bench/1.0' } });
    let authenticated = false;
    const timer = setTimeout(() => fail('timeout'), timeoutMs);
    const closed = new Promise<void>((done) => ws.once('close', () => done()));
    // The gateway runs one message at a time per connection: answers come in the order of the subscribes.
    const awaitingSubscribed: Array<(error?: string) => void> = [];
    const connection: OpenConnection = {
      watched: new Set(),
      lastSeq: new Map(),
      subscribe: (auctionId, subscribeTimeoutMs) =>
        new Promise<void>((done, failed) => {
          const timeout = setTimeout(() => failed(new Error('no subscribed frame')), subscribeTimeoutMs);
          awaitingSubscribed.push((error) => {
            clearTimeout(timeout);
            if (error) return failed(new Error(error));
            connection.watched.add(String(auctionId));
            done();
          });
          ws.send(JSON.stringify({ action: 'subscribe', auctionId }));
        }),
      close: async () => {
        open.gavel.delete(connection);
        if (ws.readyState === WebSocket.CLOSED) return;
        ws.close(1000);
        await Promise.race([closed, sleep(5_000).then(() => ws.terminate())]);
      },
      ping: () => {
        if (ws.readyState === WebSocket.OPEN) ws.ping();
      },
    };
    function fail(reason: string): void {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(reason));
    }
    ws.on('open', () => ws.send(JSON.stringify({ action: 'auth', token })));
    ws.on('unexpected-response', (_request, response) => fail(`handshake ${response.statusCode}`));
    ws.on('error', (error) => {
      if (!authenticated) fail(error.message.split(':')[0] ?? 'error');
    });
    ws.on('close', () => {
      open.gavel.delete(connection);
      if (!authenticated) fail('closed before auth.ok');
    });
    ws.on('message', (data: Buffer) => {
      const at = epochNow();
      const text = data.toString('utf8');
      if (authenticated) {
        if (text.startsWith('{"type":"subscribed"')) return awaitingSubscribed.shift()?.();
        if (text.startsWith('{"type":"error"') && awaitingSubscribed.length > 0)
          return awaitingSubscribed.shift()?.(`error frame ${subscribeError(text)}`);
        return onGavelFrame(connection, text, at);
      }
      let frame: { type?: unknown; data?: { status?: unknown; message?: unknown } };
      try {
        frame = JSON.parse(text) as typeof frame;
      } catch {
        return fail('non-JSON frame before auth.ok');
      }
      const type = frame.type;
      if (type === 'auth.ok') {
        authenticated = true;
        clearTimeout(timer);
        open.gavel.add(connection);
        resolve(connection);
      } else if (type === 'auth.error') {
        fail(`auth.error ${String(frame.data?.status)} ${String(frame.data?.message).slice(0, 80)}`);
      } else if (type === undefined && 'message' in frame) {
        fail(`gateway: ${String((frame as { message?: unknown }).message)}`);
      }
    });
  });
}

function openSocketIo(url: string, timeoutMs: number): Promise<OpenConnection> {
  return new Promise((resolve, reject) => {
    // forceNew: one real connection per client (the default would multiplex them all over one).
    const socket: Socket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: timeoutMs,
    });
    const connection: OpenConnection = {
      watched: new Set(),
      lastSeq: new Map(),
      close: async () => {
        open.socketio.delete(connection);
        socket.close();
      },
      ping: () => undefined,
      subscribe: async (auctionId, subscribeTimeoutMs) => {
        const answer = (await socket.timeout(subscribeTimeoutMs).emitWithAck('subscribe', auctionId)) as {
          ok?: boolean;
        };
        if (!answer?.ok) throw new Error('subscribe refused');
        connection.watched.add(String(auctionId));
      },
    };
    socket.on('bid', (event: { data?: BidData }) => onBid('socketio', connection, event?.data, epochNow()));
    socket.once('connect', () => {
      open.socketio.add(connection);
      resolve(connection);
    });
    socket.once('connect_error', (error) => {
      socket.close();
      reject(new Error(error.message || 'connect_error'));
    });
  });
}

/** Opens `tokens.length` (Gavel) connections at an open-loop rate, at most `maxInFlight` at once. */
async function connect(command: ConnectCommand): Promise<ConnectResult> {
  const total = command.tokens.length;
  const latenciesMs: number[] = [];
  const failures: Record<string, number> = {};
  const intervalMs = 1000 / command.ratePerSec;
  const firstStartedAt = epochNow();
  let lastDoneAt = firstStartedAt;
  let started = 0;
  let inFlight = 0;
  let settled = 0;

  await new Promise<void>((allDone) => {
    const finishOne = (): void => {
      inFlight--;
      settled++;
      if (settled % 250 === 0) reply({ type: 'progress', id: command.id, done: settled });
      if (settled === total) allDone();
      else launchDue();
    };
    const launch = (index: number): void => {
      inFlight++;
      const begun = epochNow();
      const opening =
        command.system === 'gavel'
          ? openGavel(command.url, command.tokens[index]!, command.timeoutMs)
          : openSocketIo(command.url, command.timeoutMs);
      opening.then(
        () => {
          lastDoneAt = epochNow();
          latenciesMs.push(lastDoneAt - begun);
          finishOne();
        },
        (error: Error) => {
          failures[error.message] = (failures[error.message] ?? 0) + 1;
          finishOne();
        },
      );
    };
    const launchDue = (): void => {
      const due = Math.min(total, Math.floor((epochNow() - firstStartedAt) / intervalMs) + 1);
      while (started < due && inFlight < command.maxInFlight) launch(started++);
    };
    const ticker = setInterval(() => {
      launchDue();
      if (started >= total) clearInterval(ticker);
    }, 2);
    if (total === 0) {
      clearInterval(ticker);
      allDone();
    } else launchDue();
  });
  return { latenciesMs, failures, firstStartedAt, lastDoneAt, open: open[command.system].size };
}

/** Waits until every open connection has each key, or the timeout; then reports what arrived. */
async function awaitBids(command: AwaitBidsCommand): Promise<AwaitBidsResult> {
  const receipts = bidReceipts[command.system];
  const expected = open[command.system].size;
  const deadline = epochNow() + command.timeoutMs;
  const complete = (): boolean => command.keys.every((key) => (receipts.get(key)?.count ?? 0) >= expected);
  while (!complete() && epochNow() < deadline) await sleep(5);
  const result: AwaitBidsResult = { open: expected, receipts: {} };
  for (const key of command.keys) {
    result.receipts[key] = receipts.get(key) ?? { count: 0, first: 0, last: 0 };
    receipts.delete(key);
  }
  return result;
}

async function watch(command: WatchCommand): Promise<WatchResult> {
  const key = String(command.auctionId);
  const subscribed = watching.get(key) ?? new WeakSet<OpenConnection>();
  watching.set(key, subscribed);
  const pending = [...open.gavel].filter((connection) => !subscribed.has(connection));
  const result: WatchResult = { subscribed: 0, failed: 0 };
  // In slices, like the closes: thousands of subscribes at once would only queue at the gateway.
  for (let i = 0; i < pending.length; i += 200) {
    await Promise.all(
      pending.slice(i, i + 200).map(async (connection) => {
        try {
          await connection.subscribe(command.auctionId, command.timeoutMs);
          subscribed.add(connection);
          result.subscribed++;
        } catch {
          result.failed++;
        }
      }),
    );
  }
  return result;
}

/** The status of an `error` frame answering a subscribe, for the failure count. */
function subscribeError(text: string): string {
  try {
    const frame = JSON.parse(text) as { data?: { status?: unknown; message?: unknown } };
    return String(frame.data?.status ?? frame.data?.message ?? '?');
  } catch {
    return '?';
  }
}

/** Connections per load client subscribing at once in watch-set, and tries per subscribe. */
const WATCH_SLICE = 50;
const SUBSCRIBE_ATTEMPTS = 3;

async function watchSet(command: WatchSetCommand): Promise<WatchSetResult> {
  const random = seededRandom(command.seed);
  const connections = [...open[command.system]];
  const plan = connections.map((connection) => ({
    connection,
    auctions: pickDistinct(
      random,
      command.auctionIds,
      randomInt(random, command.minPerConnection, command.maxPerConnection),
    ),
  }));
  const result: WatchSetResult = { connections: connections.length, subscribed: 0, failed: {}, watchers: {} };
  const watchers = new Map<string, number>();
  // In small slices: hundreds of subscribes at once only queue behind each other until the subscribe
  // Lambda's call to a busy API times out (503). A refused subscribe is tried again, a few times.
  for (let i = 0; i < plan.length; i += WATCH_SLICE) {
    await Promise.all(
      plan.slice(i, i + WATCH_SLICE).map(async ({ connection, auctions }) => {
        for (const auctionId of auctions) {
          for (let attempt = 1; ; attempt++) {
            try {
              await connection.subscribe(auctionId, command.timeoutMs);
              const key = String(auctionId);
              watchers.set(key, (watchers.get(key) ?? 0) + 1);
              result.subscribed++;
              break;
            } catch (error) {
              const reason = error instanceof Error ? error.message : String(error);
              if (attempt < SUBSCRIBE_ATTEMPTS && /503|no subscribed frame/.test(reason)) continue;
              result.failed[reason] = (result.failed[reason] ?? 0) + 1;
              break;
            }
          }
        }
      }),
    );
  }
  localWatchers[command.system] = watchers;
  anomalies[command.system] = { stray: 0, outOfOrder: 0 };
  result.watchers = Object.fromEntries(watchers);
  return result;
}

async function awaitAuctionBids(command: AwaitAuctionBidsCommand): Promise<AwaitAuctionBidsResult> {
  const receipts = bidReceipts[command.system];
  const watchers = localWatchers[command.system];
  const deadline = epochNow() + command.timeoutMs;
  const complete = (): boolean =>
    command.bids.every(
      (bid) => (receipts.get(bid.amountCents)?.count ?? 0) >= (watchers.get(String(bid.auctionId)) ?? 0),
    );
  while (!complete() && epochNow() < deadline) await sleep(5);
  // A moment more, so a duplicate or a frame to a connection that does not watch the auction is counted too.
  await sleep(100);
  const result: AwaitAuctionBidsResult = { receipts: {}, ...anomalies[command.system] };
  for (const bid of command.bids) {
    result.receipts[bid.amountCents] = receipts.get(bid.amountCents) ?? { count: 0, first: 0, last: 0 };
    receipts.delete(bid.amountCents);
  }
  return result;
}

function collectNotifications(): CollectNotificationsResult {
  const result = { latenciesMs: notificationLatencies, lastAt: lastNotificationAt };
  notificationLatencies = [];
  return result;
}

async function closeAll(system: SystemUnderTest): Promise<CloseResult> {
  const connections = [...open[system]];
  // In slices, so thousands of close handshakes do not all start in one tick.
  for (let i = 0; i < connections.length; i += 500) {
    await Promise.all(connections.slice(i, i + 500).map((connection) => connection.close()));
  }
  bidReceipts[system].clear();
  return { closed: connections.length };
}

async function run(command: ClientCommand): Promise<unknown> {
  switch (command.type) {
    case 'connect':
      return connect(command);
    case 'await-bids':
      return awaitBids(command);
    case 'watch':
      return watch(command);
    case 'watch-set':
      return watchSet(command);
    case 'await-auction-bids':
      return awaitAuctionBids(command);
    case 'collect-notifications':
      return collectNotifications();
    case 'close':
      return closeAll(command.system);
  }
}

process.on('message', (command: ClientCommand) => {
  run(command).then(
    (result) => reply({ type: 'done', id: command.id, result }),
    (error: unknown) =>
      reply({ type: 'failed', id: command.id, message: error instanceof Error ? error.message : String(error) }),
  );
});
// The harness went away (finished, crashed or was interrupted): nothing left to measure.
process.on('disconnect', () => process.exit(0));
