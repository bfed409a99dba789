import { type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AuthUser, TokenSubject } from '../../common/auth-user.js';
import { API_KEY_KEY, type ApiKeyRequirement } from '../../common/decorators/api-key.decorator.js';
import { IS_PUBLIC } from '../../common/decorators/public.decorator.js';
import { TOKEN_SUBJECT_ONLY } from '../../common/decorators/token-subject.decorator.js';
import type { ApiKeyRequest } from '../../common/guards/api-key.guard.js';
import { type JwtRequest, TOKEN_SUBJECT_ONLY_REQUEST } from './jwt.strategy.js';

type JwtGuardedRequest = ApiKeyRequest & JwtRequest;

/**
 * Second global guard: passport's `jwt` strategy (JwtStrategy) on every route unless it is `@Public()`
 * or authenticated by its API key alone. The caller goes on the request as `user`.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const requirement = this.reflector.getAllAndOverride<ApiKeyRequirement | undefined>(API_KEY_KEY, targets);
    const request = context.switchToHttp().getRequest<JwtGuardedRequest>();
    if (requirement && request.apiKey && !requirement.withUser) return true;
    if (this.reflector.getAllAndOverride<boolean>(TOKEN_SUBJECT_ONLY, targets) === true)
      request[TOKEN_SUBJECT_ONLY_REQUEST] = true;
    return (await super.canActivate(context)) as boolean;
  }

  /** Errors from validate() (its 401s, a failing lookup) pass as they are; passport's failures become the 401s of contract §4. */
  override handleRequest<TUser = AuthUser | TokenSubject>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error) throw error;
    if (!user) throw new UnauthorizedException(refusalMessage(info));
    return user;
  }
}

/** passport-jwt fails with Error('No auth token') when the extractor finds none, else with jsonwebtoken's error. */
function refusalMessage(info: unknown): string {
  if (!(info instanceof Error)) return 'Invalid token';
  if (info.message === 'No auth token') return 'Missing bearer token';
  return info.name === 'TokenExpiredError' ? 'Token expired' : 'Invalid token';
}
