import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { NotificationPage, NotificationPageQuery } from './notification.dto.js';
import { NotificationService } from './notification.service.js';

@ApiTags('me')
@ApiBearerAuth()
@Controller('me/notifications')
export class MeNotificationController {
  constructor(private readonly notifications: NotificationService) {}

  @Get()
  @ApiOkResponse({ type: NotificationPage, description: 'Oldest first' })
  list(@CurrentUser() user: AuthUser, @Query() query: NotificationPageQuery): Promise<NotificationPage> {
    return this.notifications.listForUser(user, query);
  }
}
