import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
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
import { ConnectionIdParam } from '../socket-connection/socket-connection.dto.js';
import { AdminConnectionDetailResponse } from './admin.dto.js';
import { AdminService } from './admin.service.js';

/** One connection: inspect it live (GetConnection) or kick it (DeleteConnection). The listing lives in the socket-connection module. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not an admin' })
@Roles('admin')
@Controller('admin/connections')
export class AdminLiveConnectionController {
  constructor(private readonly admin: AdminService) {}

  @Get(':connectionId')
  @ApiOkResponse({ type: AdminConnectionDetailResponse })
  @ApiNotFoundResponse({ description: 'No such row' })
  @ApiBadGatewayResponse({ description: 'The management API failed' })
  inspect(@Param() params: ConnectionIdParam): Promise<AdminConnectionDetailResponse> {
    return this.admin.inspect(params.connectionId);
  }

  @Delete(':connectionId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Closed on the gateway and the row removed' })
  @ApiNotFoundResponse({ description: 'No such row' })
  @ApiBadGatewayResponse({ description: 'The management API failed' })
  kick(@Param() params: ConnectionIdParam): Promise<void> {
    return this.admin.kick(params.connectionId);
  }
}
