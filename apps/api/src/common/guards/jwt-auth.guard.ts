import { type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { API_KEY_KEY, type ApiKeyRequirement } from '../decorators/api-key.decorator.js';
import { IS_PUBLIC } from '../decorators/public.decorator.js';
import { TOKEN_SUBJECT_ONLY } from '../decorators/token-subject.decorator.js';
import type { ApiKeyRequest } from './api-key.guard.js';

/** Read by JwtStrategy: on `@TokenSubjectOnly()` routes the token's user is not loaded here. */
export interface JwtGuardedRequest extends ApiKeyRequest {
  tokenSubjectOnly?: boolean;
}

/**
 * Second global guard: every route needs a valid `Authorization: Bearer <JWT>` unless it is `@Public()`
 * or authenticated by its API key alone.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const requirement = this.reflector.getAllAndOverride<ApiKeyRequirement | undefined>(API_KEY_KEY, targets);
    const request = context.switchToHttp().getRequest<JwtGuardedRequest>();
    if (requirement && request.apiKey && !requirement.withUser) return true;
    request.tokenSubjectOnly = this.reflector.getAllAndOverride<boolean>(TOKEN_SUBJECT_ONLY, targets) === true;
    return super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    // The token may be fine while the user lookup failed (database down): that is not a 401.
    if (error && !(error instanceof UnauthorizedException)) throw error;
    if (error || !user) {
      const name = info instanceof Error ? info.name : '';
      const message =
        name === 'TokenExpiredError' ? 'Token expired' : info instanceof Error && /No auth token/i.test(info.message) ? 'Missing bearer token' : 'Invalid token';
      throw new UnauthorizedException(message);
    }
    return user;
  }
}
