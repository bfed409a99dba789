import { Injectable, Logger } from '@nestjs/common';
import { AuctionRepository } from './auction.repository.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Open auctions for the demo (development only). */
export const DEMO_AUCTIONS = [
  { title: 'Vintage Leica M6', startingPriceCents: 120_000, days: 7 },
  { title: 'Eames Lounge Chair (1971)', startingPriceCents: 250_000, days: 5 },
  { title: 'Signed first edition of Dune', startingPriceCents: 45_000, days: 3 },
] as const;

/** Makes sure each demo auction exists and is open; idempotent (runs on every development start). */
@Injectable()
export class AuctionSeeder {
  private readonly logger = new Logger('Seed');

  constructor(private readonly auctions: AuctionRepository) {}

  async seed(now = new Date()): Promise<void> {
    let created = 0;
    for (const demo of DEMO_AUCTIONS) {
      if (await this.auctions.findOpenByTitle(demo.title)) continue;
      await this.auctions.create({
        title: demo.title,
        startingPriceCents: demo.startingPriceCents,
        endsAt: new Date(now.getTime() + demo.days * DAY_MS),
      });
      created++;
    }
    if (created) this.logger.log(`${created} demo auction(s) opened`);
  }
}
