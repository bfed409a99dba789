import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../../common/decorators/roles.decorator.js';
import {
  AdminUserPage,
  AdminUserResponse,
  AdminUserSearchQuery,
  ClosedConnectionsResponse,
  UserIdParam,
} from './account.dto.js';
import { AccountService } from './account.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not an admin' })
@Roles('admin')
@Controller('admin/users')
export class AdminUserController {
  constructor(private readonly account: AccountService) {}

  @Get()
  @ApiOkResponse({ type: AdminUserPage, description: 'Users whose e-mail is, or starts with, `email`' })
  find(@Query() query: AdminUserSearchQuery): Promise<AdminUserPage> {
    return this.account.findByEmail(query.email);
  }

  @Get(':id')
  @ApiOkResponse({ type: AdminUserResponse })
  @ApiNotFoundResponse({ description: 'No such user' })
  get(@Param() params: UserIdParam): Promise<AdminUserResponse> {
    return this.account.adminView(Number(params.id));
  }

  @Post(':id/block')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Blocked: login 403, every token revoked, every connection closed' })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiBadGatewayResponse({ description: 'Blocked, but the management API failed to close a connection' })
  block(@Param() params: UserIdParam): Promise<void> {
    return this.account.block(Number(params.id));
  }

  @Delete(':id/block')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Unblocked: the user may sign in again; old tokens stay revoked' })
  @ApiNotFoundResponse({ description: 'No such user' })
  unblock(@Param() params: UserIdParam): Promise<void> {
    return this.account.unblock(Number(params.id));
  }

  @Delete(':id/connections')
  @ApiOkResponse({ type: ClosedConnectionsResponse })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiBadGatewayResponse({ description: 'The management API failed' })
  closeConnections(@Param() params: UserIdParam): Promise<ClosedConnectionsResponse> {
    return this.account.closeConnections(Number(params.id));
  }
}
