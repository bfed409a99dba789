import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { PushModule } from '../push/push.module.js';
import { SocketConnectionModule } from '../socket-connection/socket-connection.module.js';
import { AdminLiveConnectionController } from './admin-live-connection.controller.js';
import { AdminStatsController } from './admin-stats.controller.js';
import { AdminService } from './admin.service.js';
import { HousekeepingSweeper } from './housekeeping.sweeper.js';

@Module({
  imports: [SocketConnectionModule, PushModule, IdempotencyModule],
  controllers: [AdminLiveConnectionController, AdminStatsController],
  providers: [AdminService, HousekeepingSweeper],
  exports: [HousekeepingSweeper],
})
export class AdminModule {}
