import { Body, Controller, Get, HttpCode, Ip, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
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
import { ForbiddenError } from '../../common/errors.js';
import { AppConfig } from '../../config/env.js';
import { clearRefreshCookie, isCrossSite, readRefreshCookie, setRefreshCookie } from './refresh-cookie.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

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
  @ApiForbiddenResponse({ description: 'The account is blocked' })
  @ApiServiceUnavailableResponse({ description: 'Too many password checks queued; see Retry-After' })
  async login(
    @Body() dto: LoginDto,
    @Ip() ip: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenResponse> {
    const session = await this.auth.login(dto, ip);
    setRefreshCookie(req, res, session.refreshToken, this.config.refreshTokenExpiresInSeconds);
    return session.body;
  }

  /** The web client's way to a fresh access token: the HttpOnly `gavel_refresh` cookie, rotated on every use. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse, description: 'A fresh access token; the cookie is rotated' })
  @ApiUnauthorizedResponse({ description: 'Cookie missing, unknown, expired, revoked or reused' })
  @ApiForbiddenResponse({ description: 'Cross-site Origin' })
  async refresh(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<TokenResponse> {
    if (isCrossSite(req)) throw new ForbiddenError('CROSS_SITE', 'Cross-site request refused');
    const session = await this.auth.refresh(readRefreshCookie(req));
    setRefreshCookie(req, res, session.refreshToken, this.config.refreshTokenExpiresInSeconds);
    return session.body;
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: "The cookie's refresh tokens are revoked and the cookie cleared" })
  @ApiForbiddenResponse({ description: 'Cross-site Origin' })
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    if (isCrossSite(req)) throw new ForbiddenError('CROSS_SITE', 'Cross-site request refused');
    await this.auth.logout(readRefreshCookie(req));
    clearRefreshCookie(req, res);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserResponse })
  me(@CurrentUser() user: AuthUser): Promise<UserResponse> {
    return this.auth.me(user);
  }
}
