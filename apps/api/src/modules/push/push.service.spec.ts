import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ManagementApiClient, PostOutcome } from './management-api/index.js';
import { EventTooLargeError } from './prepared-event.js';
import { PushStats } from './push-stats.js';
import { PushService, type ConnectionDirectory, type PushTuning, type SubscriberDirectory } from './push.service.js';

const gone: PostOutcome = { kind: 'gone', detail: 'GoneException: x' };
const forbidden: PostOutcome = { kind: 'forbidden', named: true, detail: 'ForbiddenException: x' };
const throttled: PostOutcome = { kind: 'throttled', detail: 'LimitExceededException: x' };
const unavailable: PostOutcome = { kind: 'failed', retryable: true, detail: 'InternalServerError: x' };
const refused: PostOutcome = { kind: 'failed', retryable: true, detail: 'Error: ECONNREFUSED' };

/** The management API as PushService sees it: records every post, answers each connection as it is told to. */
class FakeManagementApi {
  posts: Array<{ connectionId: string; payload: Uint8Array }> = [];
  failures = new Map<string, PostOutcome[]>();
  inFlight = 0;
  maxInFlight = 0;

  async postToConnection(connectionId: string, payload: Uint8Array): Promise<PostOutcome> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
    const queue = this.failures.get(connectionId);
    const failure = queue?.shift();
    if (failure) return failure;
    this.posts.push({ connectionId, payload });
    return { kind: 'delivered' };
  }
  async getConnection(connectionId: string) {
    if (connectionId === 'gone') return null;
    return { connectedAt: new Date(1), lastActiveAt: new Date(2), sourceIp: '127.0.0.1', userAgent: 'test' };
  }
  async deleteConnection(connectionId: string): Promise<'deleted' | 'gone'> {
    return connectionId === 'gone' ? 'gone' : 'deleted';
  }
  closedAfterPosts = -1;
  async close(): Promise<void> {
    this.closedAfterPosts = this.posts.length;
  }
}

class FakeDirectory implements ConnectionDirectory {
  rows: Array<{ id: number; connectionId: string; userId: number }> = [];
  pageCalls = 0;
  /** Reads that fail before the database "comes back". */
  failingReads = 0;
  add(userId: number, ...connectionIds: string[]): void {
    for (const connectionId of connectionIds) this.rows.push({ id: this.rows.length + 1, connectionId, userId });
  }
  async findConnectionIdsByUser(userId: number): Promise<string[]> {
    return this.rows.filter((row) => row.userId === userId).map((row) => row.connectionId);
  }
  async pageConnectionIds(afterId: number, limit: number) {
    this.pageCalls++;
    if (this.failingReads > 0 && this.failingReads--) throw new Error('connect ECONNREFUSED 127.0.0.1:3306');
    return this.rows.filter((row) => row.id > afterId).slice(0, limit);
  }
  async deleteByConnectionIds(connectionIds: string[]): Promise<number> {
    const before = this.rows.length;
    this.rows = this.rows.filter((row) => !connectionIds.includes(row.connectionId));
    return before - this.rows.length;
  }
}

const tuning: PushTuning = { concurrency: 4, pageSize: 3, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

describe(PushService.name, () => {
  let api: FakeManagementApi;
  let directory: FakeDirectory;
  let service: PushService;

  beforeEach(() => {
    api = new FakeManagementApi();
    directory = new FakeDirectory();
    service = new PushService(api as unknown as ManagementApiClient, directory, tuning, new PushStats());
  });

  it('sends one user every connection once, with one serialized payload shared by all', async () => {
    directory.add(1, 'a1', 'a2');
    directory.add(2, 'b1');
    const report = await service.sendToUser(1, { type: 'notification', id: 7 });
    expect(report).toEqual({ deliveredTo: 2, staleRemoved: 0, failed: 0 });
    expect(api.posts.map((post) => post.connectionId).sort()).toEqual(['a1', 'a2']);
    expect(api.posts[0].payload).toBe(api.posts[1].payload);
    expect(JSON.parse(Buffer.from(api.posts[0].payload).toString())).toEqual({ type: 'notification', id: 7 });
  });

  it('broadcasts page by page with bounded concurrency', async () => {
    for (let i = 0; i < 10; i++) directory.add(i, `c${i}`);
    const report = await service.broadcast({ type: 'bid' });
    expect(report.deliveredTo).toBe(10);
    expect(new Set(api.posts.map((post) => post.connectionId)).size).toBe(10);
    expect(directory.pageCalls).toBe(4);
    expect(api.maxInFlight).toBeLessThanOrEqual(tuning.concurrency);
  });

  it('deletes the gone connection, not the others', async () => {
    directory.add(1, 'live', 'gone');
    api.failures.set('gone', [gone]);
    const report = await service.sendToUser(1, { type: 'x' });
    expect(report).toEqual({ deliveredTo: 1, staleRemoved: 1, failed: 0 });
    expect(directory.rows.map((row) => row.connectionId)).toEqual(['live']);
    expect(service.stats.snapshot()).toMatchObject({ sent: 1, staleRemoved: 1 });
    expect(service.stats.outcomes).toMatchObject({ delivered: 1, gone: 1, failed: 0 });
  });

  it('retries throttling and 5xx with backoff, then delivers', async () => {
    directory.add(1, 'slow');
    api.failures.set('slow', [throttled, unavailable]);
    const report = await service.sendToUser(1, { type: 'x' });
    expect(report.deliveredTo).toBe(1);
    expect(service.stats.snapshot()).toMatchObject({ sent: 1, retries: 2, failed: 0 });
    // GET /metrics: one push, delivered; its two retries by reason.
    expect(service.stats.outcomes).toMatchObject({ delivered: 1, throttled: 0, failed: 0 });
    expect(service.stats.retriesBy).toEqual({ throttled: 1, failed: 1 });
  });

  it('counts a push still throttled after every attempt as throttled, not failed', async () => {
    directory.add(1, 'busy');
    api.failures.set('busy', [throttled, throttled, throttled]);
    expect(await service.sendToUser(1, { type: 'x' })).toEqual({ deliveredTo: 0, staleRemoved: 0, failed: 1 });
    expect(service.stats.outcomes).toMatchObject({ throttled: 1, failed: 0, delivered: 0 });
    expect(service.stats.retriesBy).toEqual({ throttled: 2, failed: 0 });
    expect(service.stats.snapshot()).toMatchObject({ failed: 1 });
  });

  it('gives up after the bounded attempts and keeps the row', async () => {
    directory.add(1, 'down');
    api.failures.set('down', [refused, refused, refused]);
    const report = await service.sendToUser(1, { type: 'x' });
    expect(report).toEqual({ deliveredTo: 0, staleRemoved: 0, failed: 1 });
    expect(directory.rows).toHaveLength(1);
    expect(service.stats.snapshot()).toMatchObject({ retries: 2, failed: 1 });
  });

  it('stops deleting on 403 once every push is refused (bad credentials, not stale connections)', async () => {
    for (let i = 0; i < 6; i++) directory.add(1, `f${i}`);
    for (let i = 0; i < 6; i++) api.failures.set(`f${i}`, [forbidden]);
    const report = await service.sendToUser(1, { type: 'x' });
    expect(report.staleRemoved).toBe(2);
    expect(report.failed).toBe(4);
    expect(directory.rows).toHaveLength(4);
    // Every 403 is a forbidden push for the operator, whether its row went or stayed.
    expect(service.stats.outcomes.forbidden).toBe(6);
    expect(service.stats.snapshot().failed).toBe(4);
  });

  it('deletes on a bare 403 without counting it towards the bad-credentials alarm', async () => {
    for (let i = 0; i < 6; i++) directory.add(1, `f${i}`);
    for (let i = 0; i < 6; i++)
      api.failures.set(`f${i}`, [{ kind: 'forbidden', named: false, detail: 'Unknown: Forbidden' }]);
    const report = await service.sendToUser(1, { type: 'x' });
    expect(report).toEqual({ deliveredTo: 0, staleRemoved: 6, failed: 0 });
  });

  it('neither retries nor deletes a payload refused as too large or another 4xx', async () => {
    directory.add(1, 'big', 'odd');
    api.failures.set('big', [{ kind: 'too-large', detail: 'PayloadTooLargeException: x' }]);
    api.failures.set('odd', [{ kind: 'failed', retryable: false, detail: 'BadRequestException: x' }]);
    const report = await service.sendToUser(1, { type: 'x' });
    expect(report).toEqual({ deliveredTo: 0, staleRemoved: 0, failed: 2 });
    expect(service.stats.snapshot()).toMatchObject({ retries: 0, failed: 2 });
    expect(service.stats.outcomes).toMatchObject({ 'too-large': 1, failed: 1 });
    expect(directory.rows).toHaveLength(2);
  });

  it('refuses an event over 128 KB before sending anything', async () => {
    directory.add(1, 'a');
    expect(() => service.sendToUser(1, { type: 'x', data: 'y'.repeat(128 * 1024) })).toThrow(EventTooLargeError);
    expect(api.posts).toHaveLength(0);
  });

  it('keeps broadcasts in call order on every connection', async () => {
    for (let i = 0; i < 7; i++) directory.add(i, `c${i}`);
    await Promise.all([1, 2, 3, 4, 5].map((n) => service.broadcast({ n })));
    for (let i = 0; i < 7; i++) {
      const seen = api.posts
        .filter((post) => post.connectionId === `c${i}`)
        .map((post) => JSON.parse(Buffer.from(post.payload).toString()).n);
      expect(seen).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('sends a sequence to one connection in order, in the user lane', async () => {
    directory.add(1, 'a');
    const sequence = service.sendToConnection('a', [{ n: 1 }, { n: 2 }, { n: 3 }], 1);
    const live = service.sendToUser(1, { n: 4 });
    await Promise.all([sequence, live]);
    expect(api.posts.map((post) => JSON.parse(Buffer.from(post.payload).toString()).n)).toEqual([1, 2, 3, 4]);
  });

  it('waits out a database that does not answer before broadcasting (nothing accepted is dropped)', async () => {
    for (let i = 0; i < 5; i++) directory.add(i, `c${i}`);
    directory.failingReads = 3;
    const report = await service.broadcast({ type: 'bid' });
    expect(report.deliveredTo).toBe(5);
    expect(api.posts).toHaveLength(5);
  });

  it('lets pushes in flight finish before closing the client at shutdown', async () => {
    for (let i = 0; i < 20; i++) directory.add(1, `c${i}`);
    const first = service.sendToUser(1, { n: 1 });
    const second = service.sendToUser(1, { n: 2 });
    await service.onModuleDestroy();
    expect(api.closedAfterPosts).toBe(40);
    expect((await first).deliveredTo + (await second).deliveredTo).toBe(40);
  });

  it('reports a gone connection as null and removes its row; closes live ones', async () => {
    directory.add(1, 'gone', 'live');
    expect(await service.getLiveConnection('gone')).toBeNull();
    expect(directory.rows.map((row) => row.connectionId)).toEqual(['live']);
    expect(await service.closeConnection('live')).toBe(true);
    expect(directory.rows).toHaveLength(0);
  });
});

describe(`${PushService.name} auction channels`, () => {
  let api: FakeManagementApi;
  let directory: FakeDirectory;
  let subscribers: {
    rows: Array<{ id: number; connectionId: string; auctionId: number; position: number }>;
    pageCalls: number;
  } & SubscriberDirectory;
  let service: PushService;

  beforeEach(() => {
    api = new FakeManagementApi();
    directory = new FakeDirectory();
    subscribers = {
      rows: [],
      pageCalls: 0,
      async pageSubscriberConnectionIds(auctionId, position, afterId, limit) {
        this.pageCalls++;
        return this.rows
          .filter(
            (row) =>
              row.auctionId === auctionId &&
              row.position < position &&
              row.id > afterId &&
              directory.rows.some((c) => c.connectionId === row.connectionId),
          )
          .slice(0, limit)
          .map(({ id, connectionId }) => ({ id, connectionId }));
      },
    };
    service = new PushService(api as unknown as ManagementApiClient, directory, tuning, new PushStats(), subscribers);
  });

  const watch = (auctionId: number, connectionId: string, position: number) => {
    if (!directory.rows.some((row) => row.connectionId === connectionId)) directory.add(1, connectionId);
    subscribers.rows.push({
      id: directory.rows.find((row) => row.connectionId === connectionId)!.id,
      connectionId,
      auctionId,
      position,
    });
  };

  it("sends an auction's event to its subscribers older than the event only, page by page, removing the gone", async () => {
    for (let i = 0; i < 7; i++) watch(1, `w${i}`, 0);
    watch(1, 'late', 5);
    watch(2, 'other', 0);
    api.failures.set('w3', [gone]);
    const report = await service.sendToSubscribers(1, 5, { type: 'bid', data: { seq: 5 } });
    expect(report).toEqual({ deliveredTo: 6, staleRemoved: 1, failed: 0 });
    expect(api.posts.map((post) => post.connectionId).sort()).toEqual(['w0', 'w1', 'w2', 'w4', 'w5', 'w6']);
    expect(subscribers.pageCalls).toBe(3);
    expect(api.maxInFlight).toBeLessThanOrEqual(tuning.concurrency);
    expect(directory.rows.map((row) => row.connectionId)).not.toContain('w3');
  });

  it('a snapshot queued before an event reaches its connection first, even when its delivery is retried', async () => {
    watch(1, 'w', 2);
    watch(1, 'x', 0);
    // The snapshot's first attempt is throttled: without the auction's lane the bid would overtake it.
    api.failures.set('w', [throttled]);
    const snapshot = service.sendSnapshot(1, 'w', { type: 'subscribed', data: { seq: 2 } });
    const bid = service.sendToSubscribers(1, 3, { type: 'bid', data: { seq: 3 } });
    await Promise.all([snapshot, bid]);
    const toW = api.posts
      .filter((post) => post.connectionId === 'w')
      .map((post) => JSON.parse(Buffer.from(post.payload).toString()).type);
    expect(toW).toEqual(['subscribed', 'bid']);
  });

  it('refuses to fan out without a subscriber directory', async () => {
    const bare = new PushService(api as unknown as ManagementApiClient, directory, tuning, new PushStats());
    await expect(bare.sendToSubscribers(1, 1, { type: 'bid' })).rejects.toThrow(/subscriber directory/);
  });
});
