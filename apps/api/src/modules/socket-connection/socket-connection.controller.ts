import { Body, Controller, Delete, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { TokenSubject } from '../../common/auth-user.js';
import { ApiKey } from '../../common/decorators/api-key.decorator.js';
import { CurrentTokenSubject, TokenSubjectOnly } from '../../common/decorators/token-subject.decorator.js';
import { ConnectionIdParam, RegisterConnectionDto, RegisteredConnectionResponse } from './socket-connection.dto.js';
import { SocketConnectionService } from './socket-connection.service.js';

/** Called by the gateway's Lambdas (`auth` and `$disconnect` routes). */
@ApiTags('socket-connections')
@ApiHeader({ name: 'x-api-key', description: 'GATEWAY_API_KEY', required: true })
@ApiForbiddenResponse({ description: 'Missing or invalid x-api-key' })
@Controller('socket-connections')
export class SocketConnectionController {
  constructor(private readonly connections: SocketConnectionService) {}

  @Post()
  @ApiKey('gateway', { withUser: true })
  // The insert's foreign key checks that the token's user exists: no separate lookup on this hot path.
  @TokenSubjectOnly()
  @ApiBearerAuth()
  @ApiCreatedResponse({ type: RegisteredConnectionResponse, description: 'Registered' })
  @ApiOkResponse({ type: RegisteredConnectionResponse, description: 'This user already held the id' })
  @ApiConflictResponse({ description: 'The id is registered to another user' })
  async register(
    @CurrentTokenSubject() subject: TokenSubject,
    @Body() dto: RegisterConnectionDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RegisteredConnectionResponse> {
    const { created, body } = await this.connections.register(subject, dto);
    res.status(created ? 201 : 200);
    return body;
  }

  @Delete(':connectionId')
  @ApiKey('gateway')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed, or was not registered' })
  unregister(@Param() params: ConnectionIdParam): Promise<void> {
    return this.connections.unregister(params.connectionId);
  }
}
