/**
 * Auctions through the whole stack: the REST contract (who may create, validation, 404/400/409/422),
 * the seeded demo auction, and closing on schedule with `auction.closed` to all and `won` to the winner.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { databaseKinds } from '../support/databases.js';
import { apiJson } from '../support/stack.js';
import {
  collectFrames,
  createAuction,
  createUser,
  drainFrames,
  type Frame,
  placeBid,
  subscribe,
  type TestUser,
  useStack,
} from './push-support.js';

describe.each(databaseKinds())('auction lifecycle (%s)', (kind) => {
  const suite = useStack(kind, { adminToken: true });
  let ivy: TestUser;
  let jon: TestUser;

  beforeAll(async () => {
    [ivy, jon] = await Promise.all([createUser(suite.stack, 'Ivy'), createUser(suite.stack, 'Jon')]);
  }, 120_000);

  it('development start-up seeds an open demo auction; anyone may list and read auctions', async () => {
    const list = await apiJson<Array<Record<string, unknown>>>(suite.stack, '/auctions');
    expect(list.status).toBe(200);
    const leica = list.body.find((a) => a.title === 'Vintage Leica M6');
    expect(leica).toMatchObject({
      status: 'open',
      bidCount: 0,
      leaderId: null,
      currentPriceCents: expect.any(Number),
      endsAt: expect.any(String),
    });
    expect(new Date(leica!.endsAt as string).getTime()).toBeGreaterThan(Date.now() + 24 * 3_600_000);
    const detail = await apiJson(suite.stack, `/auctions/${leica!.id}`);
    expect(detail.body).toMatchObject({ id: leica!.id, bids: [] });
    expect((await apiJson(suite.stack, '/auctions/999999')).status).toBe(404);
    expect((await apiJson(suite.stack, '/auctions/abc')).status).toBe(400);
  });

  it('only admins create auctions; bad bodies are 400 naming the field', async () => {
    const body = { title: 'Lot', startingPriceCents: 100, endsAt: new Date(Date.now() + 60_000).toISOString() };
    expect((await apiJson(suite.stack, '/auctions', { token: ivy.token, body })).status).toBe(403);
    expect((await apiJson(suite.stack, '/auctions', { body })).status).toBe(401);
    const past = await apiJson<{ message: string }>(suite.stack, '/auctions', {
      token: suite.adminToken,
      body: { ...body, endsAt: '2020-01-01T00:00:00Z' },
    });
    expect(past).toMatchObject({ status: 400, body: { message: 'endsAt must be in the future' } });
    const bad = await apiJson<{ message: string[] }>(suite.stack, '/auctions', {
      token: suite.adminToken,
      body: { title: '', startingPriceCents: -1, endsAt: 'tomorrow', extra: 1 },
    });
    expect(bad.status).toBe(400);
    for (const field of ['title', 'startingPriceCents', 'endsAt', 'extra'])
      expect(bad.body.message.join(' ')).toContain(field);
  });

  it('bids: 400 bad amount, 404 unknown auction, 409 names the current price', async () => {
    const auction = await createAuction(suite.stack, suite.adminToken, { startingPriceCents: 1250 });
    for (const amountCents of [0, -5, 12.5, '1300', null]) {
      expect(
        (await apiJson(suite.stack, `/auctions/${auction.id}/bids`, { token: ivy.token, body: { amountCents } }))
          .status,
      ).toBe(400);
    }
    expect((await placeBid(suite.stack, ivy, 999999, 5000)).status).toBe(404);
    expect((await apiJson(suite.stack, `/auctions/${auction.id}/bids`, { body: { amountCents: 5000 } })).status).toBe(
      401,
    );
    const low = await placeBid(suite.stack, ivy, auction.id, 1250);
    expect(low).toMatchObject({
      status: 409,
      body: {
        statusCode: 409,
        message: 'Bid must be above the current price of 1250 cents',
        error: 'Conflict',
        currentPriceCents: 1250,
      },
    });
    expect((await placeBid(suite.stack, ivy, auction.id, 1251)).status).toBe(201);
    expect((await placeBid(suite.stack, jon, auction.id, 1251)).body.message).toBe(
      'Bid must be above the current price of 1251 cents',
    );
  });

  it("closes on schedule: auction.closed to the auction's subscribers, won to the winner only, later bids 422", async () => {
    const ivySocket = (await suite.open(ivy)).socket;
    const jonSocket = (await suite.open(jon)).socket;
    const other = (await suite.open(await createUser(suite.stack, 'Kim'))).socket;
    const auction = await createAuction(suite.stack, suite.adminToken, {
      title: 'Quick lot',
      startingPriceCents: 100,
      endsAt: new Date(Date.now() + 2_500).toISOString(),
    });
    for (const socket of [ivySocket, jonSocket, other]) await subscribe(socket, auction.id);
    expect((await placeBid(suite.stack, ivy, auction.id, 200)).status).toBe(201);
    const winning = await placeBid(suite.stack, jon, auction.id, 300);
    expect(winning.status).toBe(201);

    const closedFrame = {
      type: 'auction.closed',
      id: auction.id,
      ts: expect.any(String),
      data: { auctionId: auction.id, seq: 2, winnerId: jon.id, finalPriceCents: 300 },
    };
    for (const socket of [ivySocket, jonSocket, other]) {
      const frames = await collectFrames(socket, (f) => f.some((x) => x.type === 'auction.closed'), 10_000);
      // Both bids first, in order, then the close.
      expect(frames.filter((f) => f.type !== 'notification')).toEqual([
        expect.objectContaining({ type: 'bid', data: expect.objectContaining({ amountCents: 200 }) }),
        expect.objectContaining({ type: 'bid', data: expect.objectContaining({ amountCents: 300 }) }),
        closedFrame,
      ]);
    }
    const won = (await drainFrames(jonSocket, 1_000)).filter((f: Frame) => f.type === 'notification');
    expect(won).toEqual([
      {
        type: 'notification',
        id: expect.any(Number),
        ts: expect.any(String),
        data: {
          kind: 'won',
          title: 'You won Quick lot',
          body: expect.any(String),
          data: { auctionId: auction.id, finalPriceCents: 300 },
        },
      },
    ]);
    expect((await drainFrames(other, 300)).filter((f) => f.type === 'notification')).toEqual([]);

    const late = await placeBid(suite.stack, ivy, auction.id, 10_000);
    expect(late.status).toBe(422);
    expect(late.body.message).toContain('not open');
    const detail = await apiJson<Record<string, unknown>>(suite.stack, `/auctions/${auction.id}`);
    expect(detail.body).toMatchObject({ status: 'closed', currentPriceCents: 300, leaderId: jon.id, bidCount: 2 });

    // Subscribing after the close: the snapshot holds it, so no auction.closed follows.
    const latecomer = (await suite.open(ivy)).socket;
    expect((await subscribe(latecomer, auction.id)).data).toMatchObject({
      seq: 2,
      auction: { status: 'closed', bidCount: 2 },
    });
    expect(await latecomer.silentFor(1_500)).toBe(true);
  });
});
