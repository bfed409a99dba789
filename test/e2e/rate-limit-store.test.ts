/**
 * The rate limits' shared counters on each database: hits from two DataSources (two API copies) racing
 * on one key are each counted once, a window ends and a new one starts, keys are independent, and the
 * sweep removes ended windows only.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions } from '../../apps/api/src/database/data-source.js';
import { DatabaseThrottlerStorage } from '../../apps/api/src/modules/rate-limit/database-throttler-storage.js';
import { RateLimitCounterRepository } from '../../apps/api/src/modules/rate-limit/rate-limit-counter.repository.js';
import { databaseKinds } from '../support/databases.js';
import { type MigratedStore, migratedStore } from '../support/migrated-store.js';

describe.each(databaseKinds())('rate limit counters (%s)', (kind) => {
  let store: MigratedStore;
  let second: DataSource;
  let copyA: DatabaseThrottlerStorage;
  let copyB: DatabaseThrottlerStorage;
  let counters: RateLimitCounterRepository;

  beforeAll(async () => {
    store = await migratedStore(kind, { count: 0, emailPrefix: 'rl' });
    second = new DataSource({ ...dataSourceOptions(store.database.url), migrations: [] });
    await second.initialize();
    counters = new RateLimitCounterRepository(store.dataSource);
    copyA = new DatabaseThrottlerStorage(counters);
    copyB = new DatabaseThrottlerStorage(new RateLimitCounterRepository(second));
  }, 120_000);
  afterAll(async () => {
    await second?.destroy();
    await store?.close();
  }, 120_000);

  it('counts every hit of two copies racing on one key exactly once: `limit` pass, the rest are blocked', async () => {
    const hits = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? copyA : copyB).increment('bid|user:1', 60_000, 10)),
    );
    expect(hits.filter((h) => !h.isBlocked)).toHaveLength(10);
    expect(hits.map((h) => h.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const blocked of hits.filter((h) => h.isBlocked)) {
      expect(blocked.timeToBlockExpire).toBeGreaterThanOrEqual(59);
      expect(blocked.timeToBlockExpire).toBeLessThanOrEqual(60);
    }
    // Another key has its own window.
    expect((await copyA.increment('bid|user:2', 60_000, 10)).totalHits).toBe(1);
  });

  it('starts a new window once the current one has ended', async () => {
    const start = Date.now();
    expect((await counters.hit('login|1.2.3.4|a@b', 1_000, 10, start)).hits).toBe(1);
    expect((await counters.hit('login|1.2.3.4|a@b', 1_000, 10, start + 500)).hits).toBe(2);
    const fresh = await counters.hit('login|1.2.3.4|a@b', 1_000, 10, start + 1_000);
    expect(fresh).toEqual({ hits: 1, windowEndsAt: start + 2_000 });
  });

  it('reads the window end for a hit over the limit, and needs no earlier statement on its connection', async () => {
    // One pooled connection, so the hits below run where LAST_INSERT_ID was just set to something else.
    const single = new DataSource({
      ...dataSourceOptions(store.database.url),
      migrations: [],
      poolSize: 1,
    } as DataSourceOptions);
    await single.initialize();
    try {
      const lone = new RateLimitCounterRepository(single);
      const start = Date.now();
      if (kind === 'mysql') await single.query('SELECT LAST_INSERT_ID(77)');
      expect(await lone.hit('bid|user:9', 1_000, 2, start)).toEqual({ hits: 1, windowEndsAt: start + 1_000 });
      expect((await lone.hit('bid|user:9', 1_000, 2, start + 100)).hits).toBe(2);
      if (kind === 'mysql') await single.query('SELECT LAST_INSERT_ID(77)');
      expect(await lone.hit('bid|user:9', 1_000, 2, start + 200)).toEqual({ hits: 3, windowEndsAt: start + 1_000 });
      expect(await lone.hit('bid|user:10', 1_000, 2, start + 300)).toEqual({ hits: 1, windowEndsAt: start + 1_300 });
    } finally {
      await single.destroy();
    }
  });

  it('the sweep deletes ended windows and keeps running ones', async () => {
    const now = Date.now();
    await counters.hit('sweep|old', 1_000, 10, now - 120_000);
    await counters.hit('sweep|running', 60_000, 10, now);
    expect(await counters.deleteEndedBefore(now - 60_000)).toBeGreaterThanOrEqual(1);
    expect((await counters.hit('sweep|old', 1_000, 10, now)).hits).toBe(1);
    expect((await counters.hit('sweep|running', 60_000, 10, now)).hits).toBe(2);
  });
});
