import { Injectable } from '@nestjs/common';
import type { AuthOkEvent } from '../../../../../libs/contracts/src/index.js';
import { SocketService } from '../push/socket.service.js';
import type { ConnectionRegisteredHook, RegisteredConnection } from '../socket-connection/socket-connection.hook.js';

/** Greets a freshly registered connection with `auth.ok`, in the user's push lane. */
@Injectable()
export class ConnectionWelcomeHook implements ConnectionRegisteredHook {
  constructor(private readonly sockets: SocketService) {}

  async onRegistered(connection: RegisteredConnection): Promise<void> {
    const authOk: AuthOkEvent = {
      type: 'auth.ok',
      data: { userId: connection.userId, connectionId: connection.connectionId, replayed: 0, recovered: true },
    };
    await this.sockets.sendToConnection(connection.connectionId, [authOk], connection.userId);
  }
}
