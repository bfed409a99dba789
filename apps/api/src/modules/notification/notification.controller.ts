import { Body, Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiNotFoundResponse, ApiPayloadTooLargeResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth-user.js';
import { ApiKey } from '../../common/decorators/api-key.decorator.js';
import type { ApiKeyRequest } from '../../common/guards/api-key.guard.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { CreateNotificationDto, NotificationAcceptedResponse } from './notification.dto.js';
import { NotificationService } from './notification.service.js';

/** For backend services (`x-api-key` = SERVICE_API_KEY) and admins. */
@ApiTags('notifications')
@ApiSecurity('x-api-key')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationController {
  constructor(
    private readonly notifications: NotificationService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post()
  @ApiKey('service', { orRole: 'admin' })
  @HttpCode(202)
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A repeat within 24 h returns the first answer and sends nothing' })
  @ApiAcceptedResponse({ type: NotificationAcceptedResponse })
  @ApiNotFoundResponse({ description: 'Unknown user' })
  @ApiPayloadTooLargeResponse({ description: 'The event would exceed 128 KB' })
  async create(
    @Body() dto: CreateNotificationDto,
    @Req() request: ApiKeyRequest & { user?: AuthUser },
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<NotificationAcceptedResponse> {
    const caller = request.apiKey === 'service' ? 'service' : `user:${request.user?.id}`;
    const input = { userId: Number(dto.userId), kind: dto.kind, title: dto.title, body: dto.body, data: dto.data };
    const answer = await this.idempotency.execute({ scope: `${caller}:POST /notifications`, key: idempotencyKey, request: input }, async () => ({
      statusCode: 202,
      body: await this.notifications.sendAndReport(input),
    }));
    return answer.body;
  }
}
