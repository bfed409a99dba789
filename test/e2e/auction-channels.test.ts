/**
 * Auction channels through the whole stack (API + local gateway as child processes, real database,
 * real ws clients): `subscribe` answers a snapshot, bids reach the auction's subscribers only, each
 * once and in order also when bids race the subscribe, subscriptions end with their connection, and
 * bad input gets an `error` frame without disturbing anyone else.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { apiJson } from '../support/stack.js';
import { TestSocket } from '../support/ws-client.js';
import {
  collectFrames,
  createAuction,
  createUser,
  type Frame,
  placeBid,
  subscribe,
  type TestUser,
  until,
  useStack,
} from './push-support.js';

describe.each(databaseKinds())('auction channels (%s)', (kind) => {
  const suite = useStack(kind, { dataSource: true, adminToken: true });

  const open = async (user: TestUser) => {
    const { socket, authOk } = await suite.open(user);
    return { socket, connectionId: authOk.data.connectionId };
  };
  const subscriptionRows = async (connectionId: string): Promise<number> => {
    const rows = await suite.db
      .createQueryBuilder()
      .select('s.auction_id', 'auctionId')
      .from('subscriptions', 's')
      .innerJoin('socket_connections', 'c', 'c.id = s.socket_connection_id')
      .where('c.connection_id = :connectionId', { connectionId })
      .getRawMany();
    return rows.length;
  };

  it('subscribe answers the auction as GET /auctions/:id shows it; its bids reach its subscribers only, once each', async () => {
    const [ann, ben, cat] = await Promise.all([
      createUser(suite.stack, 'Ann'),
      createUser(suite.stack, 'Ben'),
      createUser(suite.stack, 'Cat'),
    ]);
    const lot = await createAuction(suite.stack, suite.adminToken, { title: 'Watched lot', startingPriceCents: 1000 });
    const elsewhere = await createAuction(suite.stack, suite.adminToken, { title: 'Other lot' });
    expect((await placeBid(suite.stack, ben, lot.id, 1100)).status, suite.stack.output()).toBe(201);
    expect((await placeBid(suite.stack, cat, lot.id, 1200)).status).toBe(201);

    const annTab = await open(ann);
    const annPhone = await open(ann);
    const benTab = await open(ben); // online, watching nothing
    const catTab = await open(cat); // watching another auction
    const snapshot = await subscribe(annTab.socket, lot.id);
    const detail = await apiJson(suite.stack, `/auctions/${lot.id}`);
    expect(snapshot).toEqual({ type: 'subscribed', data: { auctionId: lot.id, seq: 2, auction: detail.body } });
    // Ids may come as strings: the same auction, the same snapshot.
    expect(await subscribe(annPhone.socket, String(lot.id))).toEqual(snapshot);
    expect((await subscribe(catTab.socket, elsewhere.id)).data).toMatchObject({ auctionId: elsewhere.id, seq: 0 });

    const bid = await placeBid(suite.stack, ben, lot.id, 1500);
    expect(bid.status).toBe(201);
    for (const { socket } of [annTab, annPhone]) {
      expect(await socket.nextJson<Frame>()).toEqual({
        type: 'bid',
        id: bid.body.id,
        ts: expect.any(String),
        data: {
          auctionId: lot.id,
          bidId: bid.body.id,
          seq: 3,
          amountCents: 1500,
          bidderId: ben.id,
          bidderName: 'Ben',
          createdAt: bid.body.createdAt,
        },
      });
    }
    // Ben (the bidder, watching nothing) and Cat (watching another auction) get no bid; Cat was outbid, so she gets exactly that notification.
    expect(await benTab.socket.silentFor(500)).toBe(true);
    expect(await catTab.socket.nextJson<Frame>()).toMatchObject({ type: 'notification', data: { kind: 'outbid' } });
    expect(await catTab.socket.silentFor(300)).toBe(true);

    // Subscribing twice is one subscription: a fresh snapshot, then each bid once.
    expect((await subscribe(annTab.socket, lot.id)).data.seq).toBe(3);
    expect((await placeBid(suite.stack, cat, lot.id, 1600)).status).toBe(201);
    expect((await annTab.socket.nextJson<Frame>()).data).toMatchObject({ seq: 4, amountCents: 1600 });
    expect((await annPhone.socket.nextJson<Frame>()).data).toMatchObject({ seq: 4, amountCents: 1600 });
    expect(await annTab.socket.silentFor(300)).toBe(true);

    const inspected = await apiJson<{ subscriptions: number[] }>(
      suite.stack,
      `/admin/connections/${encodeURIComponent(annTab.connectionId)}`,
      { token: suite.adminToken },
    );
    expect(inspected.body.subscriptions).toEqual([lot.id]);

    // Unsubscribed (twice: also fine), the phone stops getting bids; the tab still does.
    for (let i = 0; i < 2; i++) {
      annPhone.socket.send({ action: 'unsubscribe', auctionId: lot.id });
      expect(await annPhone.socket.nextJson<Frame>()).toEqual({ type: 'unsubscribed', data: { auctionId: lot.id } });
    }
    expect((await placeBid(suite.stack, ben, lot.id, 1700)).status).toBe(201);
    expect((await annTab.socket.nextJson<Frame>()).data).toMatchObject({ seq: 5 });
    expect(await annPhone.socket.silentFor(500)).toBe(true);
    expect(await subscriptionRows(annPhone.connectionId)).toBe(0);
  });

  it('concurrent bidders racing subscribes: every subscriber gets its snapshot, then each later seq exactly once, in order', async () => {
    const bidders = await Promise.all(
      ['Dee', 'Eli', 'Fox', 'Gil', 'Hob', 'Ida'].map((name) => createUser(suite.stack, name)),
    );
    const watcher = await createUser(suite.stack, 'Watcher');
    const lot = await createAuction(suite.stack, suite.adminToken, { title: 'Race lot', startingPriceCents: 100 });
    const watchers = await Promise.all(Array.from({ length: 8 }, () => open(watcher)));

    let nextAmount = 100;
    const bidLoops = bidders.map(async (bidder) => {
      let accepted = 0;
      for (let i = 0; i < 15; i++) {
        nextAmount += 10;
        const answer = await placeBid(suite.stack, bidder, lot.id, nextAmount);
        if (answer.status === 201) accepted++;
        else expect(answer.status, JSON.stringify(answer.body)).toBe(409);
      }
      return accepted;
    });
    // Subscribes land while bids are being accepted and fanned out.
    const snapshots = await Promise.all(
      watchers.map(async ({ socket }, i) => {
        await sleep(40 * i);
        return subscribe(socket, lot.id);
      }),
    );
    const acceptedCounts = await Promise.all(bidLoops);
    const total = acceptedCounts.reduce((a, b) => a + b, 0);
    const detail = await apiJson<{ bidCount: number }>(suite.stack, `/auctions/${lot.id}`);
    expect(detail.body.bidCount).toBe(total);

    const racedSnapshots = snapshots.filter((s) => s.data.seq > 0 && s.data.seq < total).length;
    for (const [i, { socket }] of watchers.entries()) {
      const from = snapshots[i]!.data.seq as number;
      expect(snapshots[i]!.data.auction).toMatchObject({ id: lot.id, bidCount: from });
      const bids =
        from < total ? await collectFrames(socket, (frames) => frames.some((f) => f.data.seq === total)) : [];
      expect(bids.map((f) => [f.type, f.data.seq])).toEqual(
        Array.from({ length: total - from }, (_, k) => ['bid', from + 1 + k]),
      );
      expect(await socket.silentFor(200)).toBe(true);
    }
    // The race really happened: some snapshots were taken between bids (logged, not asserted: it depends on timing).
    console.log(
      `auction channels (${kind}): ${total} bids accepted, ${racedSnapshots}/${watchers.length} snapshots taken mid-bidding`,
    );
  });

  it('subscriptions end with their connection: $disconnect and an admin kick remove them', async () => {
    const jay = await createUser(suite.stack, 'Jay');
    const lots = [
      await createAuction(suite.stack, suite.adminToken),
      await createAuction(suite.stack, suite.adminToken),
    ];
    const leaving = await open(jay);
    const kicked = await open(jay);
    for (const { socket } of [leaving, kicked]) for (const lot of lots) await subscribe(socket, lot.id);
    expect(await subscriptionRows(leaving.connectionId)).toBe(2);
    expect(await subscriptionRows(kicked.connectionId)).toBe(2);

    await leaving.socket.close();
    await until(
      async () => (await subscriptionRows(leaving.connectionId)) === 0,
      'the closed connection has no subscriptions',
    );
    const kick = await apiJson(suite.stack, `/admin/connections/${encodeURIComponent(kicked.connectionId)}`, {
      method: 'DELETE',
      token: suite.adminToken,
    });
    expect(kick.status).toBe(204);
    expect(await subscriptionRows(kicked.connectionId)).toBe(0);
  });

  it('bad input: an error frame with a status for the sender only; nothing crashes', async () => {
    const kim = await createUser(suite.stack, 'Kim');
    const bystander = await open(await createUser(suite.stack, 'Lou'));
    const lot = await createAuction(suite.stack, suite.adminToken);

    const anonymous = await TestSocket.open(suite.stack.wsUrl);
    suite.track(anonymous);
    anonymous.send({ action: 'subscribe', auctionId: lot.id });
    expect(await anonymous.nextJson<Frame>()).toEqual({
      type: 'error',
      data: { status: 401, message: expect.stringContaining('auth') },
    });
    anonymous.send({ action: 'unsubscribe', auctionId: lot.id });
    expect(await anonymous.nextJson<Frame>()).toEqual({ type: 'unsubscribed', data: { auctionId: lot.id } });

    const { socket } = await open(kim);
    socket.send({ action: 'subscribe', auctionId: 99_999_999 });
    expect(await socket.nextJson<Frame>()).toEqual({
      type: 'error',
      data: { status: 404, message: 'Auction 99999999 not found' },
    });
    for (const auctionId of ['abc', -1, 0, 1.5, '12/../1', null, { id: 1 }]) {
      socket.send({ action: 'subscribe', auctionId });
      expect(await socket.nextJson<Frame>()).toEqual({
        type: 'error',
        data: { status: 400, message: expect.stringContaining('auctionId') },
      });
    }
    socket.send({ action: 'unsubscribe', auctionId: 'x' });
    expect((await socket.nextJson<Frame>()).data).toMatchObject({ status: 400 });

    // 50 auctions at most per connection; the same one again is no new subscription.
    const lots = [];
    for (let i = 0; i < 51; i++)
      lots.push(await createAuction(suite.stack, suite.adminToken, { title: `Limit lot ${i}` }));
    for (const l of lots.slice(0, 50)) await subscribe(socket, l.id);
    socket.send({ action: 'subscribe', auctionId: lots[50]!.id });
    expect(await socket.nextJson<Frame>()).toEqual({
      type: 'error',
      data: { status: 429, message: expect.stringContaining('50') },
    });
    expect((await subscribe(socket, lots[3]!.id)).data.auctionId).toBe(lots[3]!.id);
    socket.send({ action: 'unsubscribe', auctionId: lots[0]!.id });
    expect((await socket.nextJson<Frame>()).type).toBe('unsubscribed');
    expect((await subscribe(socket, lots[50]!.id)).data.auctionId).toBe(lots[50]!.id);

    // Still alive, and nothing leaked anywhere else.
    socket.send({ action: 'ping' });
    expect(await socket.nextJson<Frame>()).toEqual({ type: 'pong' });
    expect(await bystander.socket.silentFor(300)).toBe(true);
  });
});
