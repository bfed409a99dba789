/**
 * Storing auction subscriptions on each database: one row per (connection, auction), the 50-limit, the
 * fan-out's keyset pages filtered by snapshot position, and rows that go with their connection through
 * the foreign key's cascade — whichever way the connection row is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { Auction } from '../../apps/api/src/modules/auction/auction.entity.js';
import { SocketConnection } from '../../apps/api/src/modules/socket-connection/socket-connection.entity.js';
import { SocketConnectionRepository } from '../../apps/api/src/modules/socket-connection/socket-connection.repository.js';
import { Subscription } from '../../apps/api/src/modules/socket-connection/subscription.entity.js';
import { SubscriptionRepository } from '../../apps/api/src/modules/socket-connection/subscription.repository.js';
import { User } from '../../apps/api/src/modules/user/user.entity.js';
import { databaseKinds } from '../support/databases.js';
import { type MigratedStore, migratedStore } from '../support/migrated-store.js';

let counter = 0;
const connectionId = () => `Sub${Date.now().toString(36).slice(-6)}${(++counter).toString(36).padStart(5, '0')}=`;

describe.each(databaseKinds())('subscription store (%s)', (kind) => {
  let store: MigratedStore;
  let dataSource: DataSource;
  let connections: SocketConnectionRepository;
  let subscriptions: SubscriptionRepository;
  let auctionIds: number[];

  beforeAll(async () => {
    store = await migratedStore(kind, { count: 3, emailPrefix: 'sub' });
    ({ dataSource } = store);
    connections = new SocketConnectionRepository(dataSource.getRepository(SocketConnection));
    subscriptions = new SubscriptionRepository(dataSource.getRepository(Subscription));
    auctionIds = [];
    for (let i = 0; i < 55; i++) {
      const now = new Date();
      const result = await dataSource.getRepository(Auction).insert({
        title: `Lot ${i}`,
        startingPriceCents: 100,
        currentPriceCents: 100,
        leaderId: null,
        endsAt: new Date(now.getTime() + 3_600_000),
        status: 'open',
        bidCount: 0,
        version: 0,
        createdAt: now,
      });
      auctionIds.push(Number(result.identifiers[0]!.id));
    }
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  }, 120_000);

  async function newConnection(userId = store.userIds[0]!): Promise<SocketConnection> {
    const row = await connections.insert({ connectionId: connectionId(), userId, sourceIp: null, userAgent: null });
    if (typeof row === 'string') throw new Error(`insert answered ${row}`);
    return row;
  }
  const rowsOf = (socketConnectionId: number) => dataSource.getRepository(Subscription).countBy({ socketConnectionId });

  it('subscribing twice is one row (its snapshot moves); unsubscribing twice is fine', async () => {
    const connection = await newConnection();
    const [auction] = auctionIds;
    expect(await subscriptions.subscribe(connection.id, auction!, 3, 50)).toBe('subscribed');
    expect(await subscriptions.subscribe(connection.id, auction!, 3, 50)).toBe('subscribed');
    expect(await subscriptions.subscribe(connection.id, auction!, 5, 50)).toBe('subscribed');
    expect(await dataSource.getRepository(Subscription).findBy({ socketConnectionId: connection.id })).toEqual([
      expect.objectContaining({ auctionId: auction, snapshotPosition: 5 }),
    ]);
    expect(await subscriptions.unsubscribe(connection.id, auction!)).toBe(true);
    expect(await subscriptions.unsubscribe(connection.id, auction!)).toBe(false);
    expect(await subscriptions.auctionIdsOf(connection.id)).toEqual([]);
  });

  it('a connection watches at most `limit` auctions; re-subscribing one of them still works at the limit', async () => {
    const connection = await newConnection();
    for (const auction of auctionIds.slice(0, 50))
      expect(await subscriptions.subscribe(connection.id, auction, 0, 50)).toBe('subscribed');
    expect(await subscriptions.subscribe(connection.id, auctionIds[50]!, 0, 50)).toBe('limit-reached');
    expect(await subscriptions.subscribe(connection.id, auctionIds[7]!, 1, 50)).toBe('subscribed');
    expect(await subscriptions.auctionIdsOf(connection.id)).toEqual(auctionIds.slice(0, 50));
  });

  it('a connection row that is gone cannot subscribe', async () => {
    const connection = await newConnection();
    await connections.deleteByConnectionId(connection.connectionId);
    expect(await subscriptions.subscribe(connection.id, auctionIds[0]!, 0, 50)).toBe('connection-gone');
  });

  it('fan-out pages: only this auction, only snapshots older than the position, keyset in connection order', async () => {
    const auction = auctionIds[52]!;
    const watchers = [];
    for (let i = 0; i < 7; i++) watchers.push(await newConnection());
    // Snapshot positions 0..6: an event at position 4 goes to the four watchers whose snapshot is at 0..3.
    for (const [i, watcher] of watchers.entries()) await subscriptions.subscribe(watcher.id, auction, i, 50);
    await subscriptions.subscribe(watchers[0]!.id, auctionIds[53]!, 0, 50);

    const first = await subscriptions.pageSubscriberConnectionIds(auction, 4, 0, 3);
    const second = await subscriptions.pageSubscriberConnectionIds(auction, 4, first[first.length - 1]!.id, 3);
    expect([...first, ...second]).toEqual(
      watchers.slice(0, 4).map((w) => ({ id: w.id, connectionId: w.connectionId })),
    );
    expect(first).toHaveLength(3);
    expect(await subscriptions.pageSubscriberConnectionIds(auction, 100, 0, 100)).toHaveLength(7);
    expect(await subscriptions.pageSubscriberConnectionIds(auctionIds[54]!, 100, 0, 100)).toEqual([]);
  });

  it('subscriptions go with their connection: deleted by connection id, by the expiry sweep, and with the user', async () => {
    const [a, b, c] = [
      await newConnection(store.userIds[1]),
      await newConnection(store.userIds[1]),
      await newConnection(store.userIds[2]),
    ];
    for (const connection of [a, b, c]) {
      await subscriptions.subscribe(connection.id, auctionIds[0]!, 0, 50);
      await subscriptions.subscribe(connection.id, auctionIds[1]!, 0, 50);
      expect(await rowsOf(connection.id)).toBe(2);
    }
    // $disconnect, 410 and kick all end in deleteByConnectionIds.
    await connections.deleteByConnectionIds([a.connectionId]);
    expect(await rowsOf(a.id)).toBe(0);
    // The housekeeping sweep deletes by criteria.
    await dataSource.getRepository(SocketConnection).delete({ id: b.id });
    expect(await rowsOf(b.id)).toBe(0);
    // Deleting the user cascades to its connections, and from them to their subscriptions.
    expect(await rowsOf(c.id)).toBe(2);
    await dataSource.getRepository(User).delete({ id: store.userIds[2]! });
    expect(await rowsOf(c.id)).toBe(0);
  });
});
