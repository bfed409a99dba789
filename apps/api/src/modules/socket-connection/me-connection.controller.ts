import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { OwnConnectionResponse } from './socket-connection.dto.js';
import { SocketConnectionService } from './socket-connection.service.js';

@ApiTags('me')
@ApiBearerAuth()
@Controller('me/connections')
export class MeConnectionController {
  constructor(private readonly connections: SocketConnectionService) {}

  @Get()
  @ApiOkResponse({ type: [OwnConnectionResponse] })
  list(@CurrentUser() user: AuthUser): Promise<OwnConnectionResponse[]> {
    return this.connections.listOwn(user);
  }
}
