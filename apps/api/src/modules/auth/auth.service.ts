import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthUser } from '../../common/auth-user.js';
import { ForbiddenError, UnauthorizedError } from '../../common/errors.js';
import { AppConfig } from '../../config/env.js';
import { PasswordHasher } from '../user/password-hasher.js';
import { UserRepository } from '../user/user.repository.js';
import { UserNotFoundError } from '../user/user.errors.js';
import { UserService } from '../user/user.service.js';
import { type LoginDto, type RegisterDto, type TokenResponse, toUserResponse, type UserResponse } from './auth.dto.js';
import type { JwtPayload } from './jwt-payload.js';
import { RefreshTokenRepository } from './refresh-token.repository.js';
import type { User } from '../user/user.entity.js';

/** A sign-in's answer: the access token for the body, the refresh token for the cookie. */
export interface Session {
  body: TokenResponse;
  refreshToken: string;
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class AuthService {
  constructor(
    private readonly userService: UserService,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly refreshTokens: RefreshTokenRepository,
  ) {}

  /** `client` (the caller's IP) keys the fair queue of password hashing. */
  async register(dto: RegisterDto, client: string): Promise<UserResponse> {
    return toUserResponse(await this.userService.register(dto, client));
  }

  async login(dto: LoginDto, client: string): Promise<Session> {
    const user = await this.users.findByEmail(dto.email);
    const valid = user
      ? await this.hasher.verify(user.passwordHash, dto.password, client)
      : await this.hasher.verifyAgainstDummy(dto.password, client);
    if (!user || !valid) throw new UnauthorizedError('INVALID_CREDENTIALS', 'Invalid email or password');
    // After the password check: only someone who knows the password learns that the account is blocked.
    if (user.blockedAt !== null) throw new ForbiddenError('USER_BLOCKED', 'This account is blocked');
    const refreshToken = await this.issueRefreshToken(user, randomBytes(16).toString('hex'));
    return { body: await this.accessToken(user), refreshToken };
  }

  /**
   * Exchanges a refresh token for a new access token and its successor (rotation). 401 when missing,
   * unknown, expired, revoked, or from before a sign-out everywhere / block. A token presented again after
   * it was rotated was copied: its whole family is revoked (the thief's and the user's copies alike).
   */
  async refresh(token: string | undefined): Promise<Session> {
    const refused = (message = 'Invalid refresh token') => new UnauthorizedError('INVALID_REFRESH_TOKEN', message);
    if (!token) throw refused('Missing refresh token');
    const row = await this.refreshTokens.findByHash(sha256(token));
    if (!row || row.revokedAt !== null || row.expiresAt.getTime() <= Date.now()) throw refused();
    if (row.rotatedAt !== null || !(await this.refreshTokens.markRotated(row.id))) {
      await this.refreshTokens.revokeFamily(row.familyId);
      throw refused('Refresh token reused; sign in again');
    }
    const user = await this.users.findById(row.userId);
    if (!user || user.blockedAt !== null || user.tokenVersion !== row.tokenVersion) {
      await this.refreshTokens.revokeFamily(row.familyId);
      throw refused();
    }
    // The successor carries the version read above: a sign-out everywhere after this read kills both tokens.
    const refreshToken = await this.issueRefreshToken(user, row.familyId);
    return { body: await this.accessToken(user), refreshToken };
  }

  /** POST /auth/logout: revokes the cookie's family (an unknown or missing cookie is fine). */
  async logout(token: string | undefined): Promise<void> {
    if (!token) return;
    const row = await this.refreshTokens.findByHash(sha256(token));
    if (row) await this.refreshTokens.revokeFamily(row.familyId);
  }

  private async accessToken(user: User): Promise<TokenResponse> {
    const payload: JwtPayload = {
      sub: String(user.id),
      roles: [user.role],
      email: user.email,
      ver: user.tokenVersion,
    };
    const accessToken = await this.jwt.signAsync(payload);
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.jwtExpiresInSeconds };
  }

  /** 256 random bits, base64url; only its SHA-256 is stored (a database leak yields no usable token). */
  private async issueRefreshToken(user: User, familyId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.refreshTokens.insert({
      userId: user.id,
      familyId,
      tokenHash: sha256(token),
      tokenVersion: user.tokenVersion,
      expiresAt: new Date(Date.now() + this.config.refreshTokenExpiresInSeconds * 1000),
    });
    return token;
  }

  async me(auth: AuthUser): Promise<UserResponse> {
    const user = await this.users.findById(auth.id);
    if (!user) throw new UserNotFoundError(auth.id);
    return toUserResponse(user);
  }
}
