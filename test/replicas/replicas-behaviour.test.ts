/**
 * Contract §9 with three real API copies behind HAProxy on one MariaDB database, the local gateway's
 * Lambdas calling through HAProxy: each auction closes once, limits hold across copies, /admin/stats
 * counts every copy, no notification reaches a connection twice, and `seq` orders bids accepted by
 * different copies with no bid missing from a subscriber's snapshot-plus-stream.
 */
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { replicasUnavailable, type ReplicaStack, startReplicas } from '../support/replicas.js';
import { apiJson, login, STACK_SECRETS } from '../support/stack.js';
import type { TestSocket } from '../support/ws-client.js';
import {
  connect,
  createAuction,
  createUser,
  drainFrames,
  type Frame,
  placeBid,
  subscribe,
} from '../e2e/push-support.js';
import { waitFor } from '../support/wait-for.js';

const unavailable = replicasUnavailable();

/** Frames until `done` holds, then whatever follows within 500 ms (a duplicate would be among them). */
async function waitForFrames(socket: TestSocket, done: (frames: Frame[]) => boolean): Promise<Frame[]> {
  const frames: Frame[] = [];
  await waitFor(
    async () => {
      frames.push(...(await drainFrames(socket, 100)));
      expect(done(frames)).toBe(true);
    },
    { timeout: 15_000 },
  );
  frames.push(...(await drainFrames(socket, 500)));
  return frames;
}
const describeReplicas = unavailable ? describe.skip : describe;
/** Bids per user per minute: low enough to reach; every test bids with fresh users. */
const BID_LIMIT = 8;

describeReplicas(`three API copies behind HAProxy (MariaDB)${unavailable ? ` — skipped: ${unavailable}` : ''}`, () => {
  let stack: ReplicaStack;
  let adminToken: string;
  const sockets: TestSocket[] = [];

  /** One copy directly (not through HAProxy). */
  const onCopy = (index: number) => ({ apiUrl: stack.copies[index]!.url });

  beforeAll(async () => {
    stack = await startReplicas({
      copies: 3,
      apiEnv: { LOGIN_RATE_LIMIT: '6/1m', BID_RATE_LIMIT: `${BID_LIMIT}/1m` },
    });
    adminToken = await login(stack, 'admin@gavel.test');
  }, 180_000);
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close().catch(() => undefined)));
    await stack?.stop();
  }, 120_000);

  it('HAProxy spreads requests over every copy and each answers for the same database', async () => {
    expect(await stack.backendStatus()).toEqual({ api1: 'UP', api2: 'UP', api3: 'UP' });
    const lot = await createAuction(stack, adminToken, { title: 'Seen by all' });
    for (let i = 0; i < 3; i++) expect((await apiJson(onCopy(i), `/auctions/${lot.id}`)).status).toBe(200);
  });

  it('each auction closes once: one auction.closed per subscriber and one `won`, though every copy sweeps', async () => {
    const [winner, watcher] = await Promise.all([createUser(stack, 'Winner'), createUser(stack, 'Watcher')]);
    const endsAt = new Date(Date.now() + 6_000).toISOString();
    const lots = await Promise.all(
      Array.from({ length: 6 }, (_, i) => createAuction(stack, adminToken, { title: `Closing ${i}`, endsAt })),
    );
    for (const lot of lots) expect((await placeBid(stack, winner, lot.id, 5000)).status).toBe(201);
    const winnerSocket = (await connect(stack, winner)).socket;
    const watcherSocket = (await connect(stack, watcher)).socket;
    sockets.push(winnerSocket, watcherSocket);
    // A snapshot taken after the close holds it (no auction.closed follows); one taken before gets exactly one.
    const openInSnapshot = new Map<number, boolean>();
    for (const lot of lots)
      openInSnapshot.set(lot.id, (await subscribe(watcherSocket, lot.id)).data.auction.status === 'open');
    await waitFor(
      async () => {
        for (const lot of lots)
          expect((await apiJson<{ status: string }>(stack, `/auctions/${lot.id}`)).body.status).toBe('closed');
      },
      { timeout: 20_000 },
    );
    // Every copy's closer has had several ticks past the end; anything doubled would have arrived by now.
    const watcherFrames = await drainFrames(watcherSocket, 2_500);
    for (const lot of lots) {
      const closed = watcherFrames.filter((f) => f.type === 'auction.closed' && f.data.auctionId === lot.id);
      expect(closed, `auction ${lot.id}`).toHaveLength(openInSnapshot.get(lot.id) ? 1 : 0);
    }
    const winnerFrames: Frame[] = [];
    const won = () => winnerFrames.filter((f) => f.type === 'notification' && f.data.kind === 'won');
    await waitFor(
      async () => {
        winnerFrames.push(...(await drainFrames(winnerSocket, 100)));
        expect(won()).toHaveLength(lots.length);
      },
      { timeout: 5_000 },
    );
    winnerFrames.push(...(await drainFrames(winnerSocket, 1_000)));
    expect(
      won()
        .map((f) => f.data.data.auctionId)
        .sort(),
    ).toEqual(lots.map((l) => l.id).sort());
    const stored = await apiJson<{ items: Array<{ kind: string }> }>(stack, '/me/notifications?limit=100', {
      token: winner.token,
    });
    expect(stored.body.items.filter((n) => n.kind === 'won')).toHaveLength(lots.length);
  }, 60_000);

  it('login and bid limits hold across copies: requests spread over three copies share one budget', async () => {
    const email = `nobody-${Date.now()}@example.test`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await apiJson(stack, '/auth/login', { body: { email, password: 'wrong-password' } })).status);
    // Six wrong passwords a minute for this client and e-mail, whichever copy answers; per process it would be 18.
    expect(statuses).toEqual([...Array<number>(6).fill(401), ...Array<number>(6).fill(429)]);

    const bidder = await createUser(stack, 'Eager');
    const lot = await createAuction(stack, adminToken, { title: 'Limited', startingPriceCents: 100 });
    const bids: number[] = [];
    for (let i = 1; i <= BID_LIMIT + 4; i++) bids.push((await placeBid(stack, bidder, lot.id, 100 + i * 10)).status);
    expect(bids).toEqual([...Array<number>(BID_LIMIT).fill(201), ...Array<number>(4).fill(429)]);
    // Each copy, asked directly, knows the budget is spent.
    for (let i = 0; i < 3; i++) {
      const direct = await fetch(`${stack.copies[i]!.url}/auctions/${lot.id}/bids`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bidder.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amountCents: 99_999 }),
      });
      expect(direct.status).toBe(429);
      expect(Number(direct.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });

  it('/admin/stats counts the pushes of every copy, whichever copy answers', async () => {
    const statsOf = async (copy: number) =>
      (await apiJson<{ pushes: { sent: number } }>(onCopy(copy), '/admin/stats', { token: adminToken })).body.pushes
        .sent;
    const before = await statsOf(0);
    const reader = await createUser(stack, 'Reader');
    const { socket } = await connect(stack, reader);
    sockets.push(socket);
    // Notifications sent through each copy directly: each copy pushes its own.
    for (let copy = 0; copy < 3; copy++) {
      const sent = await apiJson<{ deliveredTo: number }>(onCopy(copy), '/notifications', {
        body: { userId: reader.id, kind: 'info', title: `From copy ${copy + 1}` },
        headers: { 'x-api-key': STACK_SECRETS.SERVICE_API_KEY },
      });
      expect(sent.status).toBe(202);
    }
    const frames = await waitForFrames(socket, (f) => f.filter((x) => x.type === 'notification').length >= 3);
    expect(frames.filter((f) => f.type === 'notification')).toHaveLength(3);
    // Every copy's answer includes the three (and the auth.ok), once its peers have flushed (once a second).
    for (let copy = 0; copy < 3; copy++)
      await waitFor(async () => expect(await statsOf(copy)).toBeGreaterThanOrEqual(before + 4), { timeout: 5_000 });
  });

  it('`seq` orders bids accepted by different copies; snapshots taken on any copy miss none and repeat none', async () => {
    const lot = await createAuction(stack, adminToken, { title: 'Contested', startingPriceCents: 100 });
    const bidders = await Promise.all(Array.from({ length: 6 }, (_, i) => createUser(stack, `Racer ${i}`)));
    const watcherUser = await createUser(stack, 'Onlooker');
    const watchers = await Promise.all(
      Array.from({ length: 6 }, async () => (await connect(stack, watcherUser)).socket),
    );
    sockets.push(...watchers);
    let amount = 100;
    // Bids spread over the copies by HAProxy, while the watchers subscribe one after another (through any copy).
    const bidding = Promise.all(
      bidders.map(async (bidder) => {
        for (let i = 0; i < 6; i++) await placeBid(stack, bidder, lot.id, (amount += 10));
      }),
    );
    for (const watcher of watchers) {
      watcher.send({ action: 'subscribe', auctionId: lot.id });
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await bidding;
    const final = (await apiJson<{ bidCount: number }>(stack, `/auctions/${lot.id}`)).body.bidCount;
    expect(final).toBeGreaterThan(10);
    for (const [index, watcher] of watchers.entries()) {
      // Done once the watcher holds the final seq: as a bid frame, or already in its snapshot when the bids were quicker
      // than the subscribes (then no bid frame follows, and none may).
      const frames = await waitForFrames(watcher, (f) =>
        f.some(
          (x) =>
            (x.type === 'bid' || x.type === 'subscribed') &&
            x.data.auctionId === lot.id &&
            (x.data.seq as number) >= final,
        ),
      );
      const ofLot = frames.filter((f) => f.data.auctionId === lot.id);
      // The snapshot first, then exactly the bids after it: each seq once, none missing.
      expect(ofLot[0]?.type, `watcher ${index}`).toBe('subscribed');
      const snapshotSeq = ofLot[0]!.data.seq as number;
      const seqs = ofLot.slice(1).map((f) => f.data.seq as number);
      expect(
        [...seqs].sort((a, b) => a - b),
        `watcher ${index} (snapshot ${snapshotSeq})`,
      ).toEqual(Array.from({ length: final - snapshotSeq }, (_, i) => snapshotSeq + i + 1));
    }
  }, 60_000);
});
