import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from '../../common/auth-user.js';
import { AppConfig } from '../../config/env.js';
import { UserRepository } from '../user/user.repository.js';
import type { JwtPayload } from './jwt-payload.js';

/**
 * Verifies the bearer token, then loads the user: a deleted user's token stops working and a role
 * change (`npm run user:create --role`) applies at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly users: UserRepository,
  ) {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: config.jwtSecret, algorithms: ['HS256'], ignoreExpiration: false });
  }

  async validate(payload: JwtPayload): Promise<AuthUser | false> {
    const id = Number(payload.sub);
    if (!Number.isSafeInteger(id) || id <= 0) return false;
    const user = await this.users.findById(id);
    if (!user) return false;
    return { id: user.id, email: user.email, roles: [user.role] };
  }
}
