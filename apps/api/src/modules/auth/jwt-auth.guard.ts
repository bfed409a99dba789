import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthUser, TokenSubject } from '../../common/auth-user.js';
import { API_KEY_KEY, type ApiKeyRequirement } from '../../common/decorators/api-key.decorator.js';
import { IS_PUBLIC } from '../../common/decorators/public.decorator.js';
import { TOKEN_SUBJECT_ONLY } from '../../common/decorators/token-subject.decorator.js';
import type { ApiKeyRequest } from '../../common/guards/api-key.guard.js';
import { AccessTokenVerifier } from './access-token.verifier.js';

interface JwtGuardedRequest extends ApiKeyRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: AuthUser | TokenSubject;
}

/**
 * Second global guard: every route needs a valid `Authorization: Bearer <JWT>` unless it is `@Public()`
 * or authenticated by its API key alone. The caller goes on the request as `user` (see AccessTokenVerifier).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const requirement = this.reflector.getAllAndOverride<ApiKeyRequirement | undefined>(API_KEY_KEY, targets);
    const request = context.switchToHttp().getRequest<JwtGuardedRequest>();
    if (requirement && request.apiKey && !requirement.withUser) return true;
    const subjectOnly = this.reflector.getAllAndOverride<boolean>(TOKEN_SUBJECT_ONLY, targets) === true;
    const authorization = request.headers.authorization;
    request.user = await this.tokens.authenticate(Array.isArray(authorization) ? authorization[0] : authorization, subjectOnly);
    return true;
  }
}
