/**
 * Push delivery through the whole stack (API + local gateway as child processes, real database, real
 * ws clients): bid fan-out and outbid notifications, stale rows removed by the 410 path, and
 * Idempotency-Key on bids and notifications.
 */
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { waitFor } from '../support/wait-for.js';
import { databaseKinds } from '../support/databases.js';
import { apiJson } from '../support/stack.js';
import {
  collectFrames,
  connectionRowExists,
  createAuction,
  createUser,
  type Frame,
  insertPhantomConnections,
  subscribePhantoms,
  placeBid,
  sendNotification,
  subscribe,
  useStack,
} from './push-support.js';

describe.each(databaseKinds())('push delivery (%s)', (kind) => {
  const suite = useStack(kind, { dataSource: true, adminToken: true });

  it('three users, five connections watching the auction: a bid reaches all five exactly once; outbid reaches exactly the previous leader', async () => {
    const [ann, ben, cat] = await Promise.all([
      createUser(suite.stack, 'Ann'),
      createUser(suite.stack, 'Ben'),
      createUser(suite.stack, 'Cat'),
    ]);
    const annSockets = [(await suite.open(ann)).socket, (await suite.open(ann)).socket];
    const benSockets = [(await suite.open(ben)).socket, (await suite.open(ben)).socket];
    const catSockets = [(await suite.open(cat)).socket];
    const everyone = [...annSockets, ...benSockets, ...catSockets];
    const auction = await createAuction(suite.stack, suite.adminToken, {
      title: 'Fan-out lot',
      startingPriceCents: 1000,
    });
    for (const socket of everyone) await subscribe(socket, auction.id);

    const first = await placeBid(suite.stack, ann, auction.id, 1500);
    expect(first.status, suite.stack.output()).toBe(201);
    expect(first.body).toEqual({
      id: expect.any(Number),
      auctionId: auction.id,
      bidderId: ann.id,
      amountCents: 1500,
      createdAt: expect.any(String),
    });
    for (const socket of everyone) {
      expect(await socket.nextJson<Frame>()).toEqual({
        type: 'bid',
        id: first.body.id,
        ts: expect.any(String),
        data: {
          auctionId: auction.id,
          bidId: first.body.id,
          seq: 1,
          amountCents: 1500,
          bidderId: ann.id,
          bidderName: 'Ann',
          createdAt: first.body.createdAt,
        },
      });
    }

    // Ben takes the lead: everyone sees the bid; only Ann's two connections get the outbid notification.
    const second = await placeBid(suite.stack, ben, auction.id, 2500);
    expect(second.status).toBe(201);
    for (const socket of [...benSockets, ...catSockets]) {
      expect(await socket.nextJson<Frame>()).toMatchObject({
        type: 'bid',
        data: { bidId: second.body.id, amountCents: 2500, bidderName: 'Ben' },
      });
    }
    for (const socket of annSockets) {
      const frames = await collectFrames(socket, (f) => f.length === 2);
      const bid = frames.find((f) => f.type === 'bid');
      const outbid = frames.find((f) => f.type === 'notification');
      expect(bid).toMatchObject({ data: { bidId: second.body.id } });
      expect(outbid).toEqual({
        type: 'notification',
        id: expect.any(Number),
        ts: expect.any(String),
        data: {
          kind: 'outbid',
          title: 'You were outbid on Fan-out lot',
          body: expect.stringContaining('Ben'),
          data: { auctionId: auction.id, amountCents: 2500 },
        },
      });
    }
    // Exactly once: nothing else arrives anywhere.
    const silent = await Promise.all(everyone.map((s) => s.silentFor(500)));
    expect(silent).toEqual([true, true, true, true, true]);

    // Raising one's own lead outbids nobody.
    expect((await placeBid(suite.stack, ben, auction.id, 3000)).status).toBe(201);
    for (const socket of everyone) expect((await socket.nextJson<Frame>()).type).toBe('bid');
    expect(await Promise.all(everyone.map((s) => s.silentFor(300)))).toEqual([true, true, true, true, true]);

    const stored = await apiJson<{ items: Array<{ kind: string }> }>(suite.stack, '/me/notifications', {
      token: ann.token,
    });
    expect(stored.body.items.map((n) => n.kind)).toEqual(['outbid']);
  });

  it('a row for a connection the gateway never had is removed by the next push to its user (410 path)', async () => {
    const dan = await createUser(suite.stack, 'Dan');
    const { socket } = await suite.open(dan);
    const [phantom] = await insertPhantomConnections(suite.db, dan.id, 1);
    expect(await connectionRowExists(suite.db, phantom!)).toBe(true);

    const answer = await sendNotification(suite.stack, { userId: dan.id, kind: 'test.ping', title: 'Hello Dan' });
    expect(answer.status, suite.stack.output()).toBe(202);
    expect(answer.body).toEqual({ id: expect.any(Number), deliveredTo: 1, staleRemoved: 1 });
    expect(await connectionRowExists(suite.db, phantom!)).toBe(false);
    expect(await socket.nextJson<Frame>()).toMatchObject({
      type: 'notification',
      id: answer.body.id,
      data: { title: 'Hello Dan' },
    });
  });

  it('rows the gateway lost (as after a gateway restart) and watching an auction are all gone after one of its bids', async () => {
    const [eve, fay] = await Promise.all([createUser(suite.stack, 'Eve'), createUser(suite.stack, 'Fay')]);
    const live = await suite.open(eve);
    const phantoms = [
      ...(await insertPhantomConnections(suite.db, eve.id, 3)),
      ...(await insertPhantomConnections(suite.db, fay.id, 4)),
    ];
    const auction = await createAuction(suite.stack, suite.adminToken);
    await subscribe(live.socket, auction.id);
    await subscribePhantoms(suite.db, phantoms, auction.id);

    expect((await placeBid(suite.stack, fay, auction.id, 5000)).status).toBe(201);
    expect(await live.socket.nextJson<Frame>()).toMatchObject({ type: 'bid', data: { amountCents: 5000 } });
    await waitFor(
      async () =>
        expect(
          (await Promise.all(phantoms.map((id) => connectionRowExists(suite.db, id)))).filter(Boolean).length,
        ).toBe(0),
      { timeout: 10_000 },
    );
    expect(await connectionRowExists(suite.db, live.authOk.data.connectionId)).toBe(true);
  });

  it('the same Idempotency-Key twice places one bid and sends one notification', async () => {
    const [gus, hal] = await Promise.all([createUser(suite.stack, 'Gus'), createUser(suite.stack, 'Hal')]);
    const watcher = await suite.open(hal);
    const auction = await createAuction(suite.stack, suite.adminToken, { startingPriceCents: 100 });
    await subscribe(watcher.socket, auction.id);

    const key = `bid-${auction.id}-once`;
    const first = await placeBid(suite.stack, gus, auction.id, 700, key);
    const again = await placeBid(suite.stack, gus, auction.id, 700, key);
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    // Concurrent duplicates with a new key: still one bid.
    const concurrent = await Promise.all(
      Array.from({ length: 8 }, () => placeBid(suite.stack, gus, auction.id, 900, `bid-${auction.id}-burst`)),
    );
    expect(new Set(concurrent.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify(concurrent[0])]));
    expect(concurrent[0]!.status).toBe(201);
    // The same key with another request is refused, and a stored 409 is replayed as a 409.
    expect((await placeBid(suite.stack, gus, auction.id, 950, key)).status).toBe(422);
    const low = await placeBid(suite.stack, gus, auction.id, 100, `bid-${auction.id}-low`);
    expect(low.status).toBe(409);
    expect(await placeBid(suite.stack, gus, auction.id, 100, `bid-${auction.id}-low`)).toEqual(low);

    const detail = await apiJson<{ bidCount: number; currentPriceCents: number; bids: unknown[] }>(
      suite.stack,
      `/auctions/${auction.id}`,
    );
    expect(detail.body).toMatchObject({ bidCount: 2, currentPriceCents: 900 });
    const bidFrames = await collectFrames(watcher.socket, (f) => f.length === 2);
    expect(bidFrames.map((f) => f.data.amountCents)).toEqual([700, 900]);
    expect(await watcher.socket.silentFor(300)).toBe(true);

    // Notifications: a repeat returns the first answer and pushes nothing.
    const body = {
      userId: hal.id,
      kind: 'order.shipped',
      title: 'Shipped',
      body: 'Arrives Tuesday',
      data: { orderId: 42 },
    };
    const sent = await sendNotification(suite.stack, body, 'ship-42');
    const repeat = await sendNotification(suite.stack, body, 'ship-42');
    expect(sent.status).toBe(202);
    expect(repeat).toEqual(sent);
    expect(await watcher.socket.nextJson<Frame>()).toMatchObject({
      type: 'notification',
      id: sent.body.id,
      data: { kind: 'order.shipped', data: { orderId: 42 } },
    });
    expect(await watcher.socket.silentFor(300)).toBe(true);
    const history = await apiJson<{ items: unknown[] }>(suite.stack, '/me/notifications', { token: hal.token });
    expect(history.body.items).toHaveLength(1);
  });
});
