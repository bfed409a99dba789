import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { PushModule } from '../push/push.module.js';
import { SocketConnection } from '../socket-connection/socket-connection.entity.js';
import { SocketConnectionModule } from '../socket-connection/socket-connection.module.js';
import { AdminLiveConnectionController } from './admin-live-connection.controller.js';
import { AdminStatsController } from './admin-stats.controller.js';
import { AdminService } from './admin.service.js';
import { ExpiredConnectionRepository } from './expired-connection.repository.js';
import { HousekeepingSweeper } from './housekeeping.sweeper.js';

@Module({
  imports: [TypeOrmModule.forFeature([SocketConnection]), SocketConnectionModule, PushModule, IdempotencyModule],
  controllers: [AdminLiveConnectionController, AdminStatsController],
  providers: [AdminService, ExpiredConnectionRepository, HousekeepingSweeper],
  exports: [HousekeepingSweeper],
})
export class AdminModule {}
