import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import type { Role } from '../../common/auth-user.js';
import type { User } from '../user/user.entity.js';

export class RegisterDto {
  @ApiProperty({ example: 'carol@example.com', maxLength: 254 })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 200, example: 'correct horse battery' })
  @IsString()
  @MinLength(8)
  // Bounded so a huge password cannot tie up the hasher.
  @MaxLength(200)
  password!: string;

  @ApiProperty({ example: 'Carol', minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  displayName!: string;
}

export class LoginDto {
  @ApiProperty({ example: 'alice@gavel.test' })
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'gavel-demo' })
  @IsString()
  @MaxLength(200)
  password!: string;
}

export class UserResponse {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'alice@gavel.test' })
  email!: string;

  @ApiProperty({ example: 'Alice' })
  displayName!: string;

  @ApiProperty({ enum: ['user', 'premium', 'admin'], isArray: true, example: ['user'] })
  roles!: Role[];

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' })
  createdAt!: string;
}

export class TokenResponse {
  @ApiProperty()
  accessToken!: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds until the token expires', example: 3600 })
  expiresIn!: number;
}

export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles: [user.role],
    createdAt: user.createdAt.toISOString(),
  };
}
