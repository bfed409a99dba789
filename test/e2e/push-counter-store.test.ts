/**
 * GET /admin/stats' push counters on each database: two copies (two stores on one database) each add
 * their counts in batches, and each reads the sum of both — its own unflushed counts included, never twice.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/api/src/database/data-source.js';
import { PushCounterRepository } from '../../apps/api/src/modules/push/push-counter.repository.js';
import { PushCounterStore } from '../../apps/api/src/modules/push/push-counter.store.js';
import { PushStats } from '../../apps/api/src/modules/push/push-stats.js';
import { databaseKinds } from '../support/databases.js';
import { type MigratedStore, migratedStore } from '../support/migrated-store.js';

describe.each(databaseKinds())('push counters (%s)', (kind) => {
  let store: MigratedStore;
  let second: DataSource;

  beforeAll(async () => {
    store = await migratedStore(kind, { count: 0, emailPrefix: 'pc' });
    second = new DataSource({ ...dataSourceOptions(store.database.url), migrations: [] });
    await second.initialize();
  }, 120_000);
  afterAll(async () => {
    await second?.destroy();
    await store?.close();
  }, 120_000);

  it('sums every copy: flushed counts from the shared row, unflushed ones from this copy, none twice', async () => {
    const statsA = new PushStats();
    const statsB = new PushStats();
    const copyA = new PushCounterStore(statsA, new PushCounterRepository(store.dataSource));
    const copyB = new PushCounterStore(statsB, new PushCounterRepository(second));
    statsA.sent += 5;
    statsA.staleRemoved += 1;
    statsB.sent += 7;
    statsB.failed += 2;
    statsB.retries += 3;
    await copyB.flush();
    // A has not flushed: it counts its own pending counts and B's flushed ones.
    expect(await copyA.totals()).toEqual({ sent: 12, failed: 2, staleRemoved: 1, retries: 3 });
    // B sees only what A flushed: nothing yet.
    expect(await copyB.totals()).toEqual({ sent: 7, failed: 2, staleRemoved: 0, retries: 3 });
    // Flushes racing totals, and more counting in between: never counted twice.
    statsA.sent += 1;
    const [, during] = await Promise.all([copyA.flush(), copyA.totals(), copyA.flush()]);
    expect(during).toEqual({ sent: 13, failed: 2, staleRemoved: 1, retries: 3 });
    await copyA.beforeApplicationShutdown();
    expect(await copyB.totals()).toEqual({ sent: 13, failed: 2, staleRemoved: 1, retries: 3 });
    expect(await new PushCounterRepository(second).read()).toEqual({
      sent: 13,
      failed: 2,
      staleRemoved: 1,
      retries: 3,
    });
  });
});
