/**
 * Helpers for the push, auction and notification e2e tests: the stack a describe block shares
 * (`useStack`), users, authenticated sockets, frame collection, and direct database access for rows
 * the gateway never knew.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { AuthOkEvent } from '@gavel/contracts';
import { dataSourceOptions } from '../../apps/api/src/database/data-source.js';
import type { DatabaseKind } from '../support/databases.js';
import { apiJson, login, STACK_SECRETS, startStack, type Stack } from '../support/stack.js';
import { TestSocket } from '../support/ws-client.js';

export interface TestUser {
  id: number;
  email: string;
  displayName: string;
  token: string;
}

export interface Frame {
  type: string;
  id?: number | string;
  ts?: string;
  data: Record<string, any>;
}

/** Registers and logs in a fresh user. */
export async function createUser(stack: Stack, displayName: string): Promise<TestUser> {
  const email = `${displayName.toLowerCase().replace(/[^a-z0-9]/g, '')}-${randomBytes(4).toString('hex')}@example.test`;
  const password = 'correct horse battery';
  const registered = await apiJson<{ id: number }>(stack, '/auth/register', { body: { email, password, displayName } });
  if (registered.status !== 201)
    throw new Error(`register ${email}: ${registered.status} ${JSON.stringify(registered.body)}`);
  return { id: Number(registered.body.id), email, displayName, token: await login(stack, email, password) };
}

/** A live socket authenticated as `user`; resolves after its auth.ok (which is returned). */
export async function connect(
  stack: Stack,
  user: TestUser,
  since?: number | string,
): Promise<{ socket: TestSocket; authOk: AuthOkEvent }> {
  const socket = await TestSocket.open(stack.wsUrl);
  socket.send(
    since === undefined ? { action: 'auth', token: user.token } : { action: 'auth', token: user.token, since },
  );
  const authOk = await socket.nextJson<AuthOkEvent>(10_000);
  if (authOk.type !== 'auth.ok') throw new Error(`expected auth.ok, got ${JSON.stringify(authOk)}`);
  return { socket, authOk };
}

/** Reads frames until `done` says so (or fails after `timeoutMs` of silence). */
export async function collectFrames(
  socket: TestSocket,
  done: (frames: Frame[]) => boolean,
  timeoutMs = 15_000,
): Promise<Frame[]> {
  const frames: Frame[] = [];
  while (!done(frames)) frames.push(await socket.nextJson<Frame>(timeoutMs));
  return frames;
}

export async function createAuction(
  stack: Stack,
  adminToken: string,
  input: { title?: string; startingPriceCents?: number; endsAt?: string } = {},
) {
  const answer = await apiJson<{ id: number; currentPriceCents: number; status: string; endsAt: string }>(
    stack,
    '/auctions',
    {
      token: adminToken,
      body: {
        title: input.title ?? `Test lot ${randomBytes(3).toString('hex')}`,
        startingPriceCents: input.startingPriceCents ?? 1000,
        endsAt: input.endsAt ?? new Date(Date.now() + 3_600_000).toISOString(),
      },
    },
  );
  if (answer.status !== 201) throw new Error(`create auction: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export function placeBid(
  stack: Stack,
  user: TestUser,
  auctionId: number | string,
  amountCents: number,
  idempotencyKey?: string,
) {
  return apiJson<Record<string, any>>(stack, `/auctions/${auctionId}/bids`, {
    token: user.token,
    body: { amountCents },
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
  });
}

export function sendNotification(stack: Stack, body: Record<string, unknown>, idempotencyKey?: string) {
  return apiJson<Record<string, any>>(stack, '/notifications', {
    body,
    headers: {
      'x-api-key': STACK_SECRETS.SERVICE_API_KEY,
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
  });
}

/** A DataSource on the stack's database, for rows the API would never write itself (connections the gateway never had). */
export async function openDatabase(stack: Stack): Promise<DataSource> {
  const dataSource = new DataSource({ ...dataSourceOptions(stack.database.url), migrations: [] });
  await dataSource.initialize();
  return dataSource;
}

/** The stack a describe block shares (see `useStack`); read it in hooks and tests, not while declaring them. */
export interface SharedStack {
  readonly stack: Stack;
  /** With `{ dataSource: true }` only. */
  readonly db: DataSource;
  /** The seeded admin's token; with `{ adminToken: true }` only. */
  readonly adminToken: string;
  /** `connect`, with the socket closed after the block. */
  open(user: TestUser, since?: number | string): Promise<{ socket: TestSocket; authOk: AuthOkEvent }>;
  /** Closes these sockets (opened some other way) after the block. */
  track(...sockets: TestSocket[]): void;
}

/**
 * Starts a stack for the enclosing describe block (beforeAll), optionally with a DataSource on its database
 * and the seeded admin logged in; afterAll closes the tracked sockets, destroys the DataSource, then stops the stack.
 */
export function useStack(
  kind: DatabaseKind,
  options: { dataSource?: boolean; adminToken?: boolean } = {},
): SharedStack {
  let stack: Stack | undefined;
  let db: DataSource | undefined;
  let adminToken: string | undefined;
  const sockets: TestSocket[] = [];
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useStack: no ${what} (not asked for, or read before beforeAll)`);
    return value;
  };

  beforeAll(async () => {
    stack = await startStack({ database: kind });
    if (options.dataSource) db = await openDatabase(stack);
    if (options.adminToken) adminToken = await login(stack, 'admin@gavel.test');
  }, 120_000);
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close().catch(() => undefined)));
    await db?.destroy();
    await stack?.stop();
  }, 120_000);

  return {
    get stack() {
      return ready(stack, 'stack');
    },
    get db() {
      return ready(db, 'DataSource');
    },
    get adminToken() {
      return ready(adminToken, 'admin token');
    },
    open: async (user, since) => {
      const connection = await connect(ready(stack, 'stack'), user, since);
      sockets.push(connection.socket);
      return connection;
    },
    track: (...opened) => {
      sockets.push(...opened);
    },
  };
}

/** An AWS-looking connection id the gateway never issued. */
export function phantomConnectionId(): string {
  return `${randomBytes(12).toString('base64').slice(0, 15)}=`;
}

/**
 * Inserts connection rows directly, as if the gateway had lost them (restart, missed $disconnect).
 * They are a minute old, like real leftovers (brand-new rows are still awaiting their welcome).
 */
export async function insertPhantomConnections(db: DataSource, userId: number, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, phantomConnectionId);
  const now = new Date(Date.now() - 60_000);
  for (const connectionId of ids) {
    await db
      .createQueryBuilder()
      .insert()
      .into('socket_connections')
      .values({ connectionId, userId, createdAt: now, lastSeenAt: now })
      .execute();
  }
  return ids;
}

export async function connectionRowExists(db: DataSource, connectionId: string): Promise<boolean> {
  const rows = await db
    .createQueryBuilder()
    .select('id')
    .from('socket_connections', 'c')
    .where('c.connection_id = :connectionId', { connectionId })
    .getRawMany();
  return rows.length > 0;
}

/** Every frame that arrives until the socket has been quiet for `quietMs`. */
export async function drainFrames(socket: TestSocket, quietMs = 300): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (;;) {
    try {
      frames.push(await socket.nextJson<Frame>(quietMs));
    } catch {
      return frames;
    }
  }
}

/** Subscribes the socket to an auction; resolves with its `subscribed` frame (the next frame it gets). */
export async function subscribe(socket: TestSocket, auctionId: number | string): Promise<Frame> {
  socket.send({ action: 'subscribe', auctionId });
  const frame = await socket.nextJson<Frame>(10_000);
  if (frame.type !== 'subscribed')
    throw new Error(`expected subscribed for auction ${auctionId}, got ${JSON.stringify(frame)}`);
  return frame;
}

/** Waits until `check` holds (checked every 50 ms), failing after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/** Subscribes connection rows the gateway never had to an auction, directly in the database. */
export async function subscribePhantoms(db: DataSource, connectionIds: string[], auctionId: number): Promise<void> {
  for (const connectionId of connectionIds) {
    const [row] = await db
      .createQueryBuilder()
      .select('c.id', 'id')
      .from('socket_connections', 'c')
      .where('c.connection_id = :connectionId', { connectionId })
      .getRawMany<{ id: number }>();
    await db
      .createQueryBuilder()
      .insert()
      .into('subscriptions')
      .values({ socketConnectionId: Number(row!.id), auctionId, snapshotPosition: 0, createdAt: new Date() })
      .execute();
  }
}
