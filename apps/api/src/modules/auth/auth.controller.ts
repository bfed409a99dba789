import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { Public } from '../../common/decorators/public.decorator.js';
import { RateLimit } from '../../common/guards/rate-limit.guard.js';
import { LoginDto, RegisterDto, TokenResponse, UserResponse } from './auth.dto.js';
import { AuthService } from './auth.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  // `ip` is the client's address (behind TRUST_PROXY hops): password hashing is queued fairly per client.
  @Public()
  @RateLimit('register')
  @Post('register')
  @ApiConflictResponse({ description: 'Email already registered' })
  @ApiServiceUnavailableResponse({ description: 'Too many password checks queued; see Retry-After' })
  register(@Body() dto: RegisterDto, @Ip() ip: string): Promise<UserResponse> {
    return this.auth.register(dto, ip);
  }

  @Public()
  @RateLimit('login')
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse })
  @ApiUnauthorizedResponse({ description: 'Invalid email or password' })
  @ApiServiceUnavailableResponse({ description: 'Too many password checks queued; see Retry-After' })
  login(@Body() dto: LoginDto, @Ip() ip: string): Promise<TokenResponse> {
    return this.auth.login(dto, ip);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserResponse })
  me(@CurrentUser() user: AuthUser): Promise<UserResponse> {
    return this.auth.me(user);
  }
}
