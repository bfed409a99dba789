import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminConnectionController } from './admin-connection.controller.js';
import { MeConnectionController } from './me-connection.controller.js';
import { SocketConnectionController } from './socket-connection.controller.js';
import { SocketConnection } from './socket-connection.entity.js';
import { SocketConnectionRepository } from './socket-connection.repository.js';
import { SocketConnectionService } from './socket-connection.service.js';
import { Subscription } from './subscription.entity.js';
import { SubscriptionRepository } from './subscription.repository.js';

@Module({
  imports: [TypeOrmModule.forFeature([SocketConnection, Subscription])],
  controllers: [SocketConnectionController, MeConnectionController, AdminConnectionController],
  providers: [SocketConnectionRepository, SocketConnectionService, SubscriptionRepository],
  exports: [SocketConnectionRepository, SocketConnectionService, SubscriptionRepository],
})
export class SocketConnectionModule {}
