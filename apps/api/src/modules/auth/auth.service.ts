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

@Injectable()
export class AuthService {
  constructor(
    private readonly userService: UserService,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  /** `client` (the caller's IP) keys the fair queue of password hashing. */
  async register(dto: RegisterDto, client: string): Promise<UserResponse> {
    return toUserResponse(await this.userService.register(dto, client));
  }

  async login(dto: LoginDto, client: string): Promise<TokenResponse> {
    const user = await this.users.findByEmail(dto.email);
    const valid = user
      ? await this.hasher.verify(user.passwordHash, dto.password, client)
      : await this.hasher.verifyAgainstDummy(dto.password, client);
    if (!user || !valid) throw new UnauthorizedError('INVALID_CREDENTIALS', 'Invalid email or password');
    // After the password check: only someone who knows the password learns that the account is blocked.
    if (user.blockedAt !== null) throw new ForbiddenError('USER_BLOCKED', 'This account is blocked');
    const payload: JwtPayload = {
      sub: String(user.id),
      roles: [user.role],
      email: user.email,
      ver: user.tokenVersion,
    };
    const accessToken = await this.jwt.signAsync(payload);
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.jwtExpiresInSeconds };
  }

  async me(auth: AuthUser): Promise<UserResponse> {
    const user = await this.users.findById(auth.id);
    if (!user) throw new UserNotFoundError(auth.id);
    return toUserResponse(user);
  }
}
