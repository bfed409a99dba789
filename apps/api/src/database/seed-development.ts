import type { INestApplicationContext } from '@nestjs/common';
import { AuctionSeeder } from '../modules/auction/auction.seeder.js';
import { DemoUserSeeder } from '../modules/user/demo-user.seeder.js';

/** Development start-up data (never in test or production, nor on a non-loopback HOST). Idempotent: runs on every start. */
export async function seedDevelopmentData(app: INestApplicationContext): Promise<void> {
  await app.get(DemoUserSeeder).seed();
  await app.get(AuctionSeeder).seed();
}

export class PublishedDemoLoginError extends Error {
  override readonly name = 'PublishedDemoLoginError';
}

/**
 * Where no demo data is seeded (production, or a HOST that reaches the network), refuses to start while a demo
 * login from an earlier development run still has the published password: it would be an open admin account.
 */
export async function refusePublishedDemoLogins(app: INestApplicationContext, reason: string): Promise<void> {
  const emails = await app.get(DemoUserSeeder).stillPublished();
  if (emails.length === 0) return;
  throw new PublishedDemoLoginError(
    `The demo login${emails.length > 1 ? 's' : ''} ${emails.join(', ')} still accept${emails.length > 1 ? '' : 's'} the published demo password, refused ${reason}: ` +
      `set a new password (npm run user:create -- --email <email> --reset-password) or delete the user`,
  );
}
