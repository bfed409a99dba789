import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { PushModule } from '../push/push.module.js';
import { PushService } from '../push/push.service.js';
import { CONNECTION_REGISTERED_HOOK, STALE_CONNECTION_PROBE } from '../socket-connection/socket-connection.hook.js';
import { SocketConnectionModule } from '../socket-connection/socket-connection.module.js';
import { ConnectionWelcomeHook } from './connection-welcome.hook.js';
import { MeNotificationController } from './me-notification.controller.js';
import { NotificationDeliveryService } from './notification-delivery.service.js';
import { NotificationController } from './notification.controller.js';
import { Notification } from './notification.entity.js';
import { NotificationRepository } from './notification.repository.js';
import { NotificationService } from './notification.service.js';

/** Global so that the socket-connection module can see the registration hook and the stale-connection probe without importing this module. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Notification]), PushModule, SocketConnectionModule, IdempotencyModule],
  controllers: [NotificationController, MeNotificationController],
  providers: [
    NotificationRepository,
    NotificationService,
    NotificationDeliveryService,
    ConnectionWelcomeHook,
    { provide: CONNECTION_REGISTERED_HOOK, useExisting: ConnectionWelcomeHook },
    { provide: STALE_CONNECTION_PROBE, useExisting: PushService },
  ],
  exports: [CONNECTION_REGISTERED_HOOK, STALE_CONNECTION_PROBE, NotificationService],
})
export class NotificationModule {}
