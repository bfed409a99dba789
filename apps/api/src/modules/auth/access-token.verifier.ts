import { createSecretKey, type KeyObject } from 'node:crypto';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import type { AuthUser, TokenSubject } from '../../common/auth-user.js';
import { AppConfig } from '../../config/env.js';
import { UserRepository } from '../user/user.repository.js';
import type { JwtPayload } from './jwt-payload.js';

/**
 * `Authorization: <scheme> <token>`, read as passport-jwt's `fromAuthHeaderAsBearerToken()` reads it
 * (its leftmost match always starts at the first non-blank), but anchored: passport-jwt's unanchored
 * `/(\S+)\s+(\S+)/` backtracks quadratically on a long header without blanks — ~130 ms of CPU for one
 * 16 KB header, a cheap way to stall the API.
 */
const AUTHORIZATION = /^\s*(\S+)\s+(\S+)/;
/** HS256 only (no `none`, no algorithm chosen by the token), expiry enforced. */
const VERIFY_OPTIONS: jwt.VerifyOptions & { complete?: false } = { algorithms: ['HS256'], ignoreExpiration: false };

/**
 * Turns a bearer token into the caller: verifies it (HS256 only, expiry enforced), then loads the
 * user, so a deleted user's token stops working and a role change (`npm run user:create --role`)
 * applies at once. With `subjectOnly` the user is not loaded: the handler proves the user exists
 * atomically with its write (see `@TokenSubjectOnly()`).
 *
 * Why not passport + passport-jwt: they verify with the same jsonwebtoken, but wrap every request in
 * a per-request strategy object, callbacks and promise plumbing — about 5% of the API's CPU on the
 * Lambdas' registration route, the hottest authenticated route (`npm run bench`, connect + auth).
 */
@Injectable()
export class AccessTokenVerifier {
  // A KeyObject, not the string: jsonwebtoken otherwise tries createPublicKey() on a string secret for
  // every token (which throws) before treating it as a secret — ~0.5 ms of CPU per verification.
  private readonly key: KeyObject;

  constructor(
    config: AppConfig,
    private readonly users: UserRepository,
  ) {
    this.key = createSecretKey(Buffer.from(config.jwtSecret));
  }

  /** 401 for a missing, malformed, forged or expired token or a deleted user; a failing lookup (database down) is rethrown as it is. */
  async authenticate(authorization: string | undefined, subjectOnly: boolean): Promise<AuthUser | TokenSubject> {
    const match = authorization === undefined ? null : AUTHORIZATION.exec(authorization);
    if (!match || match[1]!.toLowerCase() !== 'bearer') throw new UnauthorizedException('Missing bearer token');
    const id = this.verifiedSubject(match[2]!);
    if (subjectOnly) return { id, tokenOnly: true };
    const user = await this.users.findById(id);
    if (!user) throw new UnauthorizedException('Invalid token');
    return { id: user.id, email: user.email, roles: [user.role] };
  }

  private verifiedSubject(token: string): number {
    let payload: Partial<JwtPayload>;
    try {
      // jsonwebtoken itself (what @nestjs/jwt wraps): JwtService.verify copies and deletes option keys on
      // every call, which leaves jsonwebtoken a slow dictionary-mode options object (~2% of this route's CPU).
      payload = jwt.verify(token, this.key, VERIFY_OPTIONS) as Partial<JwtPayload>;
    } catch (error) {
      throw new UnauthorizedException(error instanceof jwt.TokenExpiredError ? 'Token expired' : 'Invalid token');
    }
    const id = Number(payload.sub);
    if (!Number.isSafeInteger(id) || id <= 0) throw new UnauthorizedException('Invalid token');
    return id;
  }
}
