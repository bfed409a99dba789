import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CONNECTION_ID_PATTERN, IsIdLike } from '../../common/validation.js';
import type { SocketConnection } from './socket-connection.entity.js';

const CONNECTION_ID_MESSAGE = 'connectionId must be 1-128 printable ASCII characters without spaces';

export class RegisterConnectionDto {
  @ApiProperty({ example: 'R1kmxc2VNjMCFIA=', maxLength: 128 })
  @IsString()
  @Matches(CONNECTION_ID_PATTERN, { message: CONNECTION_ID_MESSAGE })
  connectionId!: string;

  @ApiPropertyOptional({ example: '203.0.113.7' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  sourceIp?: string;

  @ApiPropertyOptional({ example: 'Mozilla/5.0', description: 'Stored truncated to 512 characters' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  userAgent?: string;

  @ApiPropertyOptional({
    oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^\\d+$' }],
    description: 'Last notification id the client saw',
  })
  @IsOptional()
  @IsIdLike()
  since?: number | string;
}

export class ConnectionIdParam {
  @ApiProperty({ example: 'R1kmxc2VNjMCFIA=' })
  @Matches(CONNECTION_ID_PATTERN, { message: CONNECTION_ID_MESSAGE })
  connectionId!: string;
}

export class RegisteredConnectionResponse {
  @ApiProperty({ example: 'R1kmxc2VNjMCFIA=' })
  connectionId!: string;

  @ApiProperty({ example: 1 })
  userId!: number;

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' })
  createdAt!: string;
}

export class OwnConnectionResponse {
  @ApiProperty() connectionId!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() lastSeenAt!: string;
  @ApiProperty({ type: String, nullable: true }) sourceIp!: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent!: string | null;
}

export class AdminConnectionResponse extends OwnConnectionResponse {
  @ApiProperty() userId!: number;
  @ApiProperty() email!: string;
}

export class AdminConnectionPage {
  @ApiProperty({ type: [AdminConnectionResponse] }) items!: AdminConnectionResponse[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor!: string | null;
  @ApiProperty({ description: 'Rows matching the filter, over all pages' }) total!: number;
}

export class AdminConnectionQuery {
  @ApiPropertyOptional({ description: 'Only this user’s connections' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  userId?: number;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  cursor?: string;
}

export function toRegisteredConnectionResponse(row: SocketConnection): RegisteredConnectionResponse {
  return { connectionId: row.connectionId, userId: row.userId, createdAt: row.createdAt.toISOString() };
}

export function toOwnConnectionResponse(row: SocketConnection): OwnConnectionResponse {
  return {
    connectionId: row.connectionId,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    sourceIp: row.sourceIp,
    userAgent: row.userAgent,
  };
}

export function toAdminConnectionResponse(row: SocketConnection): AdminConnectionResponse {
  return {
    connectionId: row.connectionId,
    userId: row.userId,
    email: row.user?.email ?? '',
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    sourceIp: row.sourceIp,
    userAgent: row.userAgent,
  };
}
