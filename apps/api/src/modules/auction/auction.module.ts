import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { PushModule } from '../push/push.module.js';
import { UserModule } from '../user/user.module.js';
import { AuctionCloser } from './auction-closer.js';
import { AuctionLock } from './auction-lock.js';
import { AuctionController } from './auction.controller.js';
import { Auction } from './auction.entity.js';
import { AuctionRepository } from './auction.repository.js';
import { AuctionSeeder } from './auction.seeder.js';
import { AuctionService } from './auction.service.js';
import { Bid } from './bid.entity.js';

/** Auctions and their bids (a bid has no life outside its auction, so they share a module). NotificationService comes from the global NotificationModule. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Auction, Bid]),
    ScheduleModule.forRoot(),
    PushModule,
    UserModule,
    IdempotencyModule,
  ],
  controllers: [AuctionController],
  providers: [AuctionRepository, AuctionService, AuctionLock, AuctionCloser, AuctionSeeder],
  // AuctionLock is shared with the channel module: subscribing takes the same per-auction lock as bidding.
  exports: [AuctionRepository, AuctionSeeder, AuctionCloser, AuctionLock],
})
export class AuctionModule {}
