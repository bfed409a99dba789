import { Injectable } from '@nestjs/common';
import type { ConnectionRegisteredHook, RegisteredConnection } from '../socket-connection/socket-connection.hook.js';
import { NotificationService } from './notification.service.js';

/** Greets a freshly registered connection: `auth.ok`, then the notifications it missed (see NotificationService.welcome). */
@Injectable()
export class ConnectionWelcomeHook implements ConnectionRegisteredHook {
  constructor(private readonly notifications: NotificationService) {}

  async onRegistered(connection: RegisteredConnection): Promise<void> {
    await this.notifications.welcome(connection);
  }
}
