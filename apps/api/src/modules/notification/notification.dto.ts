import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsIdLike } from '../../common/validation.js';
import { parseNotificationData } from './notification-event.js';
import type { Notification } from './notification.entity.js';

export const KIND_PATTERN = /^[a-z0-9._-]{1,64}$/;
export const MAX_PAGE = 100;

export class CreateNotificationDto {
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^\\d+$' }], example: 1 })
  @IsIdLike()
  userId!: number | string;

  @ApiProperty({ example: 'order.shipped', maxLength: 64, pattern: KIND_PATTERN.source })
  @IsString()
  @Matches(KIND_PATTERN, { message: 'kind must be 1-64 characters of a-z, 0-9, ".", "_" or "-"' })
  kind!: string;

  @ApiProperty({ example: 'Your order shipped', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ example: 'It arrives on Tuesday.', maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  body?: string | null;

  @ApiPropertyOptional({ description: 'Any JSON value, delivered as given', example: { orderId: 42 } })
  @Allow()
  data?: unknown;
}

export class NotificationAcceptedResponse {
  @ApiProperty({ example: 17 }) id!: number;
  @ApiProperty({ description: 'Connections of the user that received it now' }) deliveredTo!: number;
  @ApiProperty({ description: 'Connections found gone and removed while pushing' }) staleRemoved!: number;
}

export class NotificationPageQuery {
  @ApiPropertyOptional({ description: 'Only notifications with a greater id (the last id you have)' })
  @IsOptional()
  @IsIdLike()
  after?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: MAX_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  limit?: number;
}

export class NotificationResponse {
  @ApiProperty() id!: number;
  @ApiProperty() kind!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true }) body!: string | null;
  @ApiProperty({ description: 'As sent', nullable: true }) data!: unknown;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'When it was marked read; null while unread' })
  readAt!: string | null;
}

export class MarkReadDto {
  @ApiProperty({
    example: 42,
    description: 'Notifications with an id up to this one are read (number or numeric string)',
  })
  @IsIdLike()
  upTo!: number | string;
}

export class NotificationPage {
  @ApiProperty({ type: [NotificationResponse] }) items!: NotificationResponse[];
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Pass as `after` for the next page; null when there is no more',
  })
  nextCursor!: number | null;
}

export function toNotificationResponse(row: Notification): NotificationResponse {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    data: parseNotificationData(row.data),
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt?.toISOString() ?? null,
  };
}
