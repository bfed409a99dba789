import type { INestApplicationContext } from '@nestjs/common';
import { AuctionSeeder } from '../modules/auction/auction.seeder.js';
import { DemoUserSeeder } from '../modules/user/demo-user.seeder.js';

/** Development start-up data (never in test or production). Idempotent: runs on every start. */
export async function seedDevelopmentData(app: INestApplicationContext): Promise<void> {
  await app.get(DemoUserSeeder).seed();
  await app.get(AuctionSeeder).seed();
}
