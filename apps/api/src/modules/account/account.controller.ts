import { Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { AccountService } from './account.service.js';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth')
export class AccountController {
  constructor(private readonly account: AccountService) {}

  @Post('logout-all')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Every token issued until now is revoked; every connection is closed' })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid or already revoked token' })
  @ApiBadGatewayResponse({ description: 'Tokens are revoked, but the management API failed to close a connection' })
  logoutAll(@CurrentUser() user: AuthUser): Promise<void> {
    return this.account.logoutAll(user);
  }
}
