import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { MarkReadDto, NotificationPage, NotificationPageQuery } from './notification.dto.js';
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

  @Post('read')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Read up to `upTo`; every connection of the user got `notification.read`' })
  @ApiBadRequestResponse({ description: '`upTo` missing or not an id' })
  markRead(@CurrentUser() user: AuthUser, @Body() dto: MarkReadDto): Promise<void> {
    return this.notifications.markRead(user, dto);
  }
}
