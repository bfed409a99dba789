import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthUser, Role } from '../auth-user.js';
import { API_KEY_KEY, type ApiKeyRequirement } from '../decorators/api-key.decorator.js';
import { ROLES_KEY } from '../decorators/roles.decorator.js';
import type { ApiKeyRequest } from './api-key.guard.js';

/** Third global guard: `@Roles(...)`, and the role alternative of `@ApiKey(kind, { orRole })`. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const required = [...(this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [])];
    const requirement = this.reflector.getAllAndOverride<ApiKeyRequirement | undefined>(API_KEY_KEY, targets);
    const request = context.switchToHttp().getRequest<ApiKeyRequest & { user?: AuthUser }>();
    if (requirement?.orRole && !request.apiKey) required.push(requirement.orRole);
    if (required.length === 0) return true;
    const roles = request.user?.roles ?? [];
    if (!roles.some((role) => required.includes(role))) {
      throw new ForbiddenException(`Requires role ${required.join(' or ')}`);
    }
    return true;
  }
}
