import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/decorators/roles.decorator.js';
import { AdminConnectionPage, AdminConnectionQuery } from './socket-connection.dto.js';
import { SocketConnectionService } from './socket-connection.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not an admin' })
@Roles('admin')
@Controller('admin/connections')
export class AdminConnectionController {
  constructor(private readonly connections: SocketConnectionService) {}

  @Get()
  @ApiOkResponse({ type: AdminConnectionPage })
  list(@Query() query: AdminConnectionQuery): Promise<AdminConnectionPage> {
    return this.connections.listAll(query);
  }
}
