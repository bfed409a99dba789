import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKey } from '../../common/decorators/api-key.decorator.js';
import { PRESENCE_MAX_IDS, PresenceQuery, PresenceResponse } from './account.dto.js';
import { AccountService } from './account.service.js';

/** For backend services (`x-api-key` = SERVICE_API_KEY) and admins: push live, or fall back to e-mail / mobile push. */
@ApiTags('presence')
@ApiSecurity('x-api-key')
@ApiBearerAuth()
@Controller('presence')
export class PresenceController {
  constructor(private readonly account: AccountService) {}

  @Get()
  @ApiKey('service', { orRole: 'admin' })
  @ApiOkResponse({ type: PresenceResponse, description: 'One item per userId asked, in that order' })
  @ApiBadRequestResponse({
    description: `No userId, one that is not a positive integer, or more than ${PRESENCE_MAX_IDS}`,
  })
  presence(@Query() query: PresenceQuery): Promise<PresenceResponse> {
    return this.account.presence(query.userId);
  }
}
