import { SetMetadata } from '@nestjs/common';
import type { Role } from '../auth-user.js';

export type ApiKeyKind = 'gateway' | 'service';

export interface ApiKeyOptions {
  /** The route also needs the user's JWT (key AND user), e.g. `POST /socket-connections`. */
  withUser?: boolean;
  /** Without a valid key, a JWT holding this role is accepted instead (key OR role), e.g. `POST /notifications`. */
  orRole?: Role;
}

export interface ApiKeyRequirement extends ApiKeyOptions {
  kind: ApiKeyKind;
}

export const API_KEY_KEY = 'gavel:apiKey';

/**
 * The route needs `x-api-key` = GATEWAY_API_KEY (`'gateway'`) or SERVICE_API_KEY (`'service'`).
 * By default the key alone authenticates (no JWT); see `ApiKeyOptions` for the combinations.
 */
export const ApiKey = (kind: ApiKeyKind, options: ApiKeyOptions = {}) =>
  SetMetadata(API_KEY_KEY, { kind, ...options } satisfies ApiKeyRequirement);
