/**
 * Restarts of the API (in-process, real database): the development seed opens the demo auctions once
 * and never duplicates them, and an auction that ended while the API was down is closed right after
 * start-up — the closer polls the database, so nothing has to be rescheduled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../support/wait-for.js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../apps/api/src/app.factory.js';
import { DEMO_AUCTIONS } from '../../apps/api/src/modules/auction/auction.seeder.js';
import { AuctionRepository } from '../../apps/api/src/modules/auction/auction.repository.js';
import { databaseKinds, freshDatabase, type TestDatabase } from '../support/databases.js';

describe.each(databaseKinds())('auctions across API restarts (%s)', (kind) => {
  let database: TestDatabase;
  let app: NestExpressApplication | undefined;

  const start = () =>
    createApp({
      // Nothing listens on port 9: with no connections nothing is pushed anyway.
      env: {
        NODE_ENV: 'development',
        DATABASE_URL: database.url,
        LOG_LEVEL: 'silent',
        APIGW_ENDPOINT: 'http://127.0.0.1:9',
      },
    });

  beforeAll(async () => {
    database = await freshDatabase(kind);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  }, 120_000);

  it('seeds the demo auctions once, and closes an auction that ended while the API was down', async () => {
    app = await start();
    let auctions = app.get(AuctionRepository);
    const due = await auctions.create({
      title: 'Ends during the outage',
      startingPriceCents: 100,
      endsAt: new Date(Date.now() + 300),
    });
    await app.close();
    app = undefined;
    await sleep(600);

    app = await start();
    auctions = app.get(AuctionRepository);
    // Still open: nobody closed it while the API was down (the closer's first tick comes a second after start).
    expect((await auctions.findById(due.id))?.status).toBe('open');
    const titles = (await auctions.list(100)).map((a) => a.title);
    for (const demo of DEMO_AUCTIONS) expect(titles.filter((t) => t === demo.title)).toHaveLength(1);
    await waitFor(async () => expect((await auctions.findById(due.id))?.status).toBe('closed'), { timeout: 5_000 });
  });
});
