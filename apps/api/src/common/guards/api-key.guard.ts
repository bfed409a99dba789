import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '../../config/env.js';
import { API_KEY_KEY, type ApiKeyKind, type ApiKeyRequirement } from '../decorators/api-key.decorator.js';
import { secretsEqual } from '../constant-time.js';

export interface ApiKeyRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Set when the request carried the right key for the route. */
  apiKey?: ApiKeyKind;
}

/**
 * First global guard: routes marked `@ApiKey(kind)` need `x-api-key`. Runs before the JWT guard, so a
 * bad key is a 403 even when the JWT is bad too (contract §4: the key is checked first).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const requirement = this.reflector.getAllAndOverride<ApiKeyRequirement | undefined>(API_KEY_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!requirement) return true;
    const request = context.switchToHttp().getRequest<ApiKeyRequest>();
    const given = request.headers['x-api-key'];
    const expected = requirement.kind === 'gateway' ? this.config.gatewayApiKey : this.config.serviceApiKey;
    if (typeof given === 'string' && secretsEqual(given, expected)) {
      request.apiKey = requirement.kind;
      return true;
    }
    // "key OR role": without a key, let the JWT and role guards decide.
    if (requirement.orRole && given === undefined && request.headers.authorization) return true;
    throw new ForbiddenException('Missing or invalid API key');
  }
}
