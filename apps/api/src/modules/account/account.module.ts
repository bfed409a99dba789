import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { PushModule } from '../push/push.module.js';
import { SocketConnectionModule } from '../socket-connection/socket-connection.module.js';
import { UserModule } from '../user/user.module.js';
import { AccountController } from './account.controller.js';
import { AccountService } from './account.service.js';
import { AdminUserController } from './admin-user.controller.js';
import { PresenceController } from './presence.controller.js';
import { RegistrationExpirySweeper } from './registration-expiry.sweeper.js';

/** Users across devices (issue #16): sign out everywhere, block, presence, registration expiry. */
@Module({
  imports: [UserModule, AuthModule, SocketConnectionModule, PushModule],
  controllers: [AccountController, AdminUserController, PresenceController],
  providers: [AccountService, RegistrationExpirySweeper],
  exports: [AccountService],
})
export class AccountModule {}
