import { createSecretKey } from 'node:crypto';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import type { AuthUser, TokenSubject } from '../../common/auth-user.js';
import { AppConfig } from '../../config/env.js';
import { UserRepository } from '../user/user.repository.js';
import type { JwtPayload } from './jwt-payload.js';

/** Set by JwtAuthGuard on the request of a `@TokenSubjectOnly()` route: validate() then loads no user. */
export const TOKEN_SUBJECT_ONLY_REQUEST = Symbol('gavel:tokenSubjectOnly');

export interface JwtRequest {
  headers: Record<string, string | string[] | undefined>;
  [TOKEN_SUBJECT_ONLY_REQUEST]?: true;
}

/**
 * `Authorization: <scheme> <token>`, read as passport-jwt's `fromAuthHeaderAsBearerToken()` reads it
 * (its leftmost match always starts at the first non-blank), but anchored: passport-jwt's unanchored
 * `/(\S+)\s+(\S+)/` backtracks quadratically on a long header without blanks — ~130 ms of CPU for one
 * 16 KB header, a cheap way to stall the API.
 */
const AUTHORIZATION = /^\s*(\S+)\s+(\S+)/;

/** The bearer token of the request, or null (passport-jwt then fails with "No auth token": 401 'Missing bearer token'). */
export function bearerToken(request: JwtRequest): string | null {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? AUTHORIZATION.exec(header) : null;
  return match && match[1]!.toLowerCase() === 'bearer' ? match[2]! : null;
}

/**
 * passport-jwt's strategy for Gavel's access tokens: HS256 only (no `none`, no algorithm chosen by the
 * token), expiry enforced. validate() is the one place where a verified token becomes the caller: it
 * loads the user, so a deleted user's token stops working and a role change (`npm run user:create
 * --role`) applies at once. On `@TokenSubjectOnly()` routes it loads nothing: the handler proves the
 * user exists atomically with its write. A failing lookup (database down) is rethrown as it is, so it
 * stays a 503 and never becomes a 401.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly users: UserRepository,
  ) {
    super({
      jwtFromRequest: bearerToken,
      // A KeyObject, not the string: jsonwebtoken otherwise tries createPublicKey() on a string secret for
      // every token (which throws) before treating it as a secret — ~0.5 ms of CPU per verification.
      // jsonwebtoken accepts a KeyObject; passport-jwt passes it through, its types only say string | Buffer.
      secretOrKey: createSecretKey(Buffer.from(config.jwtSecret)) as unknown as Buffer,
      // Top-level, not in jsonWebTokenOptions: passport-jwt copies `algorithms` over jsonWebTokenOptions even
      // when it is undefined, which would let jsonwebtoken accept HS384 and HS512 for a secret key.
      algorithms: ['HS256'],
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  async validate(request: JwtRequest, payload: Partial<JwtPayload>): Promise<AuthUser | TokenSubject> {
    const id = Number(payload.sub);
    if (!Number.isSafeInteger(id) || id <= 0) throw new UnauthorizedException('Invalid token');
    const tokenVersion = tokenVersionOf(payload);
    if (request[TOKEN_SUBJECT_ONLY_REQUEST])
      return {
        id,
        tokenOnly: true,
        tokenVersion,
        ...(typeof payload.exp === 'number' ? { expiresAt: new Date(payload.exp * 1000) } : {}),
      };
    const user = await this.users.findCaller(id);
    if (!user) throw new UnauthorizedException('Invalid token');
    // Signed out everywhere or blocked since the token was issued.
    if (user.blocked || user.tokenVersion !== tokenVersion) throw new UnauthorizedException('Token revoked');
    return { id: user.id, email: user.email, displayName: user.displayName, roles: [user.role] };
  }
}

/** The token's `ver` claim; tokens issued before versions existed count as version 0. */
export function tokenVersionOf(payload: Partial<JwtPayload>): number {
  return typeof payload.ver === 'number' && Number.isSafeInteger(payload.ver) ? payload.ver : 0;
}
