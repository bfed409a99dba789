import { Global, Module } from '@nestjs/common';
import { PushModule } from '../push/push.module.js';
import { CONNECTION_REGISTERED_HOOK } from '../socket-connection/socket-connection.hook.js';
import { ConnectionWelcomeHook } from './connection-welcome.hook.js';

/** Global so that the socket-connection module can see the registration hook without importing this module. */
@Global()
@Module({
  imports: [PushModule],
  providers: [ConnectionWelcomeHook, { provide: CONNECTION_REGISTERED_HOOK, useExisting: ConnectionWelcomeHook }],
  exports: [CONNECTION_REGISTERED_HOOK],
})
export class NotificationModule {}
