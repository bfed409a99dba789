import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { UserResponse } from '../auth/auth.dto.js';

/** Ids per GET /presence at most: a service asks about one message's recipients, not the whole user base. */
export const PRESENCE_MAX_IDS = 100;
/** Users per GET /admin/users answer at most. */
export const USER_SEARCH_LIMIT = 20;

const POSITIVE_ID = /^[1-9]\d{0,14}$/;

export class UserIdParam {
  @ApiProperty({ example: 1 })
  @Matches(POSITIVE_ID, { message: 'id must be a positive integer' })
  id!: string;
}

export class AdminUserResponse extends UserResponse {
  @ApiProperty({ description: 'Blocked by an admin: login 403, every token 401' }) blocked!: boolean;
  @ApiProperty({ description: 'Holds at least one registered connection' }) online!: boolean;
  @ApiProperty({ description: 'Registered connections' }) connections!: number;
  @ApiProperty({ nullable: true, type: String, example: '2026-01-01T00:00:00.000Z' }) lastSeenAt!: string | null;
}

export class AdminUserSearchQuery {
  @ApiProperty({ description: 'The exact e-mail, or its beginning (case-insensitive)', example: 'alice@' })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  email!: string;
}

export class AdminUserPage {
  @ApiProperty({ type: [AdminUserResponse], description: `At most ${USER_SEARCH_LIMIT}, by e-mail` })
  items!: AdminUserResponse[];
}

export class ClosedConnectionsResponse {
  @ApiProperty({ description: 'Connections the gateway closed' }) closed!: number;
}

export class PresenceQuery {
  @ApiProperty({
    type: [String],
    description: `User ids (repeat the parameter), at most ${PRESENCE_MAX_IDS}`,
    example: ['1', '2'],
  })
  // ?userId=1 is a string, ?userId=1&userId=2 an array: one shape for the validators.
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value : value === undefined ? value : [value]))
  @IsArray({ message: 'userId must be given at least once' })
  @ArrayMinSize(1, { message: 'userId must be given at least once' })
  @ArrayMaxSize(PRESENCE_MAX_IDS, { message: `at most ${PRESENCE_MAX_IDS} userId values` })
  @Matches(POSITIVE_ID, { each: true, message: 'each userId must be a positive integer' })
  userId!: string[];
}

export class PresenceItem {
  @ApiProperty({ description: 'As asked' }) userId!: string;
  @ApiProperty() online!: boolean;
  @ApiProperty({ description: 'Registered connections (unexpired)' }) connections!: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Last connect or disconnect; null: never' })
  lastSeenAt!: string | null;
}

export class PresenceResponse {
  @ApiProperty({ type: [PresenceItem] }) items!: PresenceItem[];
}
