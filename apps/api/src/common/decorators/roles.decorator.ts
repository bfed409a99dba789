import { SetMetadata } from '@nestjs/common';
import type { Role } from '../auth-user.js';

export const ROLES_KEY = 'gavel:roles';

/** The caller needs at least one of these roles (checked by RolesGuard after the JWT guard). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
