import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserModule } from '../user/user.module.js';
import { AdminConnectionController } from './admin-connection.controller.js';
import { MeConnectionController } from './me-connection.controller.js';
import { SocketConnectionController } from './socket-connection.controller.js';
import { SocketConnection } from './socket-connection.entity.js';
import { SocketConnectionRepository } from './socket-connection.repository.js';
import { SocketConnectionService } from './socket-connection.service.js';
import { Subscription } from './subscription.entity.js';
import { SubscriptionRepository } from './subscription.repository.js';

@Module({
  imports: [TypeOrmModule.forFeature([SocketConnection, Subscription]), UserModule],
  controllers: [SocketConnectionController, MeConnectionController, AdminConnectionController],
  providers: [SocketConnectionRepository, SocketConnectionService, SubscriptionRepository],
  exports: [SocketConnectionRepository, SocketConnectionService, SubscriptionRepository],
})
export class SocketConnectionModule {}
