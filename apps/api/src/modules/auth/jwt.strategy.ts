import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Request } from 'express';
import type { AuthUser, TokenSubject } from '../../common/auth-user.js';
import type { JwtGuardedRequest } from '../../common/guards/jwt-auth.guard.js';
import { AppConfig } from '../../config/env.js';
import { UserRepository } from '../user/user.repository.js';
import type { JwtPayload } from './jwt-payload.js';

/**
 * Verifies the bearer token, then loads the user: a deleted user's token stops working and a role
 * change (`npm run user:create --role`) applies at once. On `@TokenSubjectOnly()` routes the handler
 * checks the user's existence itself, atomically with its write, so only the verified id is passed on.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly users: UserRepository,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not the string: jsonwebtoken otherwise tries createPublicKey() on the string for
      // every token (which throws) before treating it as a secret — ~0.5 ms of CPU per verification.
      // passport-jwt hands it to jsonwebtoken untouched; only its typings say string | Buffer.
      secretOrKey: createSecretKey(Buffer.from(config.jwtSecret)) as unknown as Buffer,
      algorithms: ['HS256'],
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  async validate(request: Request & JwtGuardedRequest, payload: JwtPayload): Promise<AuthUser | TokenSubject | false> {
    const id = Number(payload.sub);
    if (!Number.isSafeInteger(id) || id <= 0) return false;
    if (request.tokenSubjectOnly) return { id, tokenOnly: true };
    const user = await this.users.findById(id);
    if (!user) return false;
    return { id: user.id, email: user.email, roles: [user.role] };
  }
}
