import { Injectable } from '@nestjs/common';
import type { ConnectionRegisteredHook, RegisteredConnection } from '../socket-connection/socket-connection.hook.js';
import { NotificationDeliveryService } from './notification-delivery.service.js';

/** Greets a freshly registered connection: `auth.ok`, then the notifications it missed (see NotificationDeliveryService.welcome). */
@Injectable()
export class ConnectionWelcomeHook implements ConnectionRegisteredHook {
  constructor(private readonly delivery: NotificationDeliveryService) {}

  async onRegistered(connection: RegisteredConnection): Promise<void> {
    await this.delivery.welcome(connection);
  }
}
