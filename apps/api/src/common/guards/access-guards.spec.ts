import { ForbiddenException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, it } from '@jest/globals';
import { expect } from '../../../../../test/support/expect.js';
import type { AppConfig } from '../../config/env.js';
import type { AuthUser } from '../auth-user.js';
import { API_KEY_KEY, type ApiKeyRequirement } from '../decorators/api-key.decorator.js';
import { ROLES_KEY } from '../decorators/roles.decorator.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { RolesGuard } from './roles.guard.js';

const config = { gatewayApiKey: 'gateway-key-123', serviceApiKey: 'service-key-123' } as AppConfig;

interface FakeRequest {
  headers: Record<string, string | undefined>;
  user?: AuthUser;
  apiKey?: string;
}

/** A handler carrying the given metadata, and an ExecutionContext for one request to it. */
function contextFor(metadata: Record<string, unknown>, request: FakeRequest): ExecutionContext {
  const handler = () => undefined;
  for (const [key, value] of Object.entries(metadata)) Reflect.defineMetadata(key, value, handler);
  return {
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

const keyGuard = new ApiKeyGuard(new Reflector(), config);
const rolesGuard = new RolesGuard(new Reflector());
const user = (roles: AuthUser['roles']): AuthUser => ({ id: 1, email: 'u@example.com', displayName: 'U', roles });

describe(ApiKeyGuard.name, () => {
  const gateway = { [API_KEY_KEY]: { kind: 'gateway' } satisfies ApiKeyRequirement };

  it('lets routes without @ApiKey through', () => {
    expect(keyGuard.canActivate(contextFor({}, { headers: {} }))).toBe(true);
  });

  it('accepts the right key, marks the request, and refuses wrong or missing keys with 403', () => {
    const request: FakeRequest = { headers: { 'x-api-key': 'gateway-key-123' } };
    expect(keyGuard.canActivate(contextFor(gateway, request))).toBe(true);
    expect(request.apiKey).toBe('gateway');
    for (const key of [undefined, '', 'service-key-123', 'gateway-key-12', 'gateway-key-1234']) {
      expect(() => keyGuard.canActivate(contextFor(gateway, { headers: { 'x-api-key': key } })), String(key)).toThrow(
        ForbiddenException,
      );
    }
  });
});

describe('key OR role (@ApiKey(service, { orRole: admin }))', () => {
  const metadata = { [API_KEY_KEY]: { kind: 'service', orRole: 'admin' } satisfies ApiKeyRequirement };

  it('accepts the service key without any user', () => {
    const request: FakeRequest = { headers: { 'x-api-key': 'service-key-123' } };
    expect(keyGuard.canActivate(contextFor(metadata, request))).toBe(true);
    expect(rolesGuard.canActivate(contextFor(metadata, request))).toBe(true);
  });

  it('without a key, defers to the JWT and then requires the role', () => {
    const admin: FakeRequest = { headers: { authorization: 'Bearer x' }, user: user(['admin']) };
    expect(keyGuard.canActivate(contextFor(metadata, admin))).toBe(true);
    expect(rolesGuard.canActivate(contextFor(metadata, admin))).toBe(true);
    const plain: FakeRequest = { headers: { authorization: 'Bearer x' }, user: user(['user']) };
    expect(keyGuard.canActivate(contextFor(metadata, plain))).toBe(true);
    expect(() => rolesGuard.canActivate(contextFor(metadata, plain))).toThrow(ForbiddenException);
  });

  it('a wrong key is refused even with a JWT', () => {
    expect(() =>
      keyGuard.canActivate(contextFor(metadata, { headers: { 'x-api-key': 'nope', authorization: 'Bearer x' } })),
    ).toThrow(ForbiddenException);
  });
});

describe(RolesGuard.name, () => {
  it('requires one of the @Roles', () => {
    const metadata = { [ROLES_KEY]: ['admin'] };
    expect(rolesGuard.canActivate(contextFor(metadata, { headers: {}, user: user(['admin']) }))).toBe(true);
    expect(() => rolesGuard.canActivate(contextFor(metadata, { headers: {}, user: user(['premium']) }))).toThrow(
      /Requires role admin/,
    );
    expect(rolesGuard.canActivate(contextFor({}, { headers: {}, user: user(['user']) }))).toBe(true);
  });

  it('refuses a verified token subject whose user was not loaded (@TokenSubjectOnly routes carry no roles)', () => {
    const subject = { id: 1, tokenOnly: true } as unknown as AuthUser;
    expect(() => rolesGuard.canActivate(contextFor({ [ROLES_KEY]: ['user'] }, { headers: {}, user: subject }))).toThrow(
      ForbiddenException,
    );
  });
});
