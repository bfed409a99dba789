import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiHeader,
  ApiNotFoundResponse,
  ApiPayloadTooLargeResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKey } from '../../common/decorators/api-key.decorator.js';
import { Caller } from '../../common/decorators/caller.decorator.js';
import { CreateNotificationDto, NotificationAcceptedResponse } from './notification.dto.js';
import { NotificationService } from './notification.service.js';

/** For backend services (`x-api-key` = SERVICE_API_KEY) and admins. */
@ApiTags('notifications')
@ApiSecurity('x-api-key')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationController {
  constructor(private readonly notifications: NotificationService) {}

  @Post()
  @ApiKey('service', { orRole: 'admin' })
  @HttpCode(202)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A repeat within 24 h returns the first answer and sends nothing',
  })
  @ApiAcceptedResponse({ type: NotificationAcceptedResponse })
  @ApiNotFoundResponse({ description: 'Unknown user' })
  @ApiPayloadTooLargeResponse({ description: 'The event would exceed 128 KB' })
  create(
    @Body() dto: CreateNotificationDto,
    @Caller() caller: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<NotificationAcceptedResponse> {
    return this.notifications.create(caller, dto, idempotencyKey);
  }
}
