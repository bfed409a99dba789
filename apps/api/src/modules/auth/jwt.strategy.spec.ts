import { type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import passport from 'passport';
import { describe, it } from '@jest/globals';
import { expect } from '../../../../../test/support/expect.js';
import type { AuthUser, TokenSubject } from '../../common/auth-user.js';
import { API_KEY_KEY } from '../../common/decorators/api-key.decorator.js';
import { IS_PUBLIC } from '../../common/decorators/public.decorator.js';
import { TOKEN_SUBJECT_ONLY } from '../../common/decorators/token-subject.decorator.js';
import type { AppConfig } from '../../config/env.js';
import type { UserRepository } from '../user/user.repository.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { JwtStrategy } from './jwt.strategy.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const jwt = new JwtService({ secret: SECRET, signOptions: { algorithm: 'HS256', expiresIn: 60 } });
const alice = { id: 7, email: 'alice@gavel.test', role: 'admin', tokenVersion: 0, blocked: false };
const findAlice = async (id: number) => (id === alice.id ? alice : null);

interface FakeRequest {
  headers: Record<string, string | undefined>;
  apiKey?: string;
  user?: AuthUser | TokenSubject;
}

/**
 * The global guard over a fresh JwtStrategy whose user lookup is `findCaller`. passport holds one strategy
 * per name, so the strategy made last is the one the guard runs.
 */
function guardWith(findCaller: (id: number) => Promise<unknown>): JwtAuthGuard {
  new JwtStrategy({ jwtSecret: SECRET } as AppConfig, { findCaller } as unknown as UserRepository);
  return new JwtAuthGuard(new Reflector());
}

/** Runs `guard` for one request to a handler carrying `metadata`; resolves to what it put on the request as `user`. */
async function authenticate(
  guard: JwtAuthGuard,
  request: FakeRequest,
  metadata: Record<string, unknown> = {},
): Promise<FakeRequest['user']> {
  const handler = () => undefined;
  for (const [key, value] of Object.entries(metadata)) Reflect.defineMetadata(key, value, handler);
  const context = {
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }),
  } as unknown as ExecutionContext;
  expect(await guard.canActivate(context)).toBe(true);
  return request.user;
}

const bearer = (authorization: string | undefined, metadata?: Record<string, unknown>) =>
  authenticate(guardWith(findAlice), { headers: { authorization } }, metadata);
const token = (claims: object, options: { expiresIn?: number } = {}) =>
  jwt.sign({ roles: ['user'], email: 'x@y.z', ...claims }, options);

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthorizedException);
  return (error as UnauthorizedException).message;
}

describe(JwtStrategy.name, () => {
  it("is passport's 'jwt' strategy, run by the global JwtAuthGuard", () => {
    const strategy = new JwtStrategy(
      { jwtSecret: SECRET } as AppConfig,
      { findCaller: findAlice } as unknown as UserRepository,
    );
    expect((passport as unknown as { _strategy(name: string): unknown })._strategy('jwt')).toBe(strategy);
  });

  it('loads the user of a valid token, with the role from the database, onto the request', async () => {
    expect(await bearer(`Bearer ${token({ sub: '7' })}`)).toEqual({
      id: 7,
      email: 'alice@gavel.test',
      roles: ['admin'],
    });
    // The scheme is case-insensitive, as passport-jwt and RFC 7235 read it.
    expect(await bearer(`bearer ${token({ sub: '7' })}`)).toMatchObject({ id: 7 });
  });

  it('on @TokenSubjectOnly() routes passes the verified id on without a lookup', async () => {
    const noLookup = guardWith(() => Promise.reject(new Error('must not be called')));
    const request = { headers: { authorization: `Bearer ${token({ sub: '12' })}` } };
    expect(await authenticate(noLookup, request, { [TOKEN_SUBJECT_ONLY]: true })).toEqual({
      id: 12,
      tokenOnly: true,
      tokenVersion: 0,
      expiresAt: expect.any(Date),
    });
  });

  it('lets @Public() routes and routes authenticated by their API key alone through without a token', async () => {
    const untouched = guardWith(() => Promise.reject(new Error('must not be called')));
    expect(await authenticate(untouched, { headers: {} }, { [IS_PUBLIC]: true })).toBeUndefined();
    expect(
      await authenticate(untouched, { headers: {}, apiKey: 'gateway' }, { [API_KEY_KEY]: { kind: 'gateway' } }),
    ).toBeUndefined();
    // key AND user: the key alone is not enough.
    const keyAndUser = authenticate(
      untouched,
      { headers: {}, apiKey: 'gateway' },
      { [API_KEY_KEY]: { kind: 'gateway', withUser: true } },
    );
    expect(await refusal(keyAndUser)).toBe('Missing bearer token');
  });

  it('answers "Missing bearer token" without a header, with another scheme or without a token', async () => {
    // The last one: 16 KB without a blank (the unanchored pattern of passport-jwt's own extractor backtracks quadratically on it).
    for (const header of [
      undefined,
      '',
      'Bearer',
      `Basic ${token({ sub: '7' })}`,
      'Bearer    ',
      `Bearer${'a'.repeat(16_000)}`,
    ]) {
      expect(await refusal(bearer(header)), String(header).slice(0, 40)).toBe('Missing bearer token');
    }
  });

  it('reads the header as passport-jwt does: leading blanks, any blanks between, extra words ignored', async () => {
    const valid = token({ sub: '7' });
    for (const header of [`  Bearer ${valid}`, `Bearer \t ${valid}`, `BEARER ${valid} trailing words`]) {
      expect(await bearer(header), header.slice(0, 12)).toMatchObject({ id: 7 });
    }
  });

  it('answers "Token expired" for an expired token and "Invalid token" for every other bad one', async () => {
    expect(await refusal(bearer(`Bearer ${token({ sub: '7' }, { expiresIn: -10 })}`))).toBe('Token expired');
    const forged = new JwtService({ secret: 'another-secret-of-at-least-32-characters' }).sign({ sub: '7' });
    // HS384 and HS512 with the right secret: HS256 only, whatever the token's header says.
    const hs384 = jwt.sign({ sub: '7' }, { algorithm: 'HS384' });
    const hs512 = jwt.sign({ sub: '7' }, { algorithm: 'HS512' });
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"7"}').toString('base64url')}.`;
    const [head, , signature] = token({ sub: '7' }).split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify({ sub: '7', roles: ['admin'] })).toString('base64url')}.${signature}`;
    for (const bad of [forged, hs384, hs512, unsigned, tampered, 'not.a.jwt', "' OR 1=1 --"]) {
      expect(await refusal(bearer(`Bearer ${bad}`)), bad).toBe('Invalid token');
    }
  });

  it('refuses a subject that is not a positive integer, and the token of a deleted user', async () => {
    for (const sub of ['0', '-1', 'abc', '1.5', '9007199254740993']) {
      expect(await refusal(bearer(`Bearer ${token({ sub })}`, { [TOKEN_SUBJECT_ONLY]: true })), sub).toBe(
        'Invalid token',
      );
    }
    expect(await refusal(bearer(`Bearer ${token({ sub: '8' })}`))).toBe('Invalid token');
  });

  it('refuses a token issued under an older token_version (signed out everywhere) and any token of a blocked user', async () => {
    const revoked = (user: object) =>
      authenticate(
        guardWith(async () => ({ ...alice, ...user })),
        {
          headers: { authorization: `Bearer ${token({ sub: '7', ver: 0 })}` },
        },
      );
    expect(await refusal(revoked({ tokenVersion: 1 }))).toBe('Token revoked');
    expect(await refusal(revoked({ blocked: true }))).toBe('Token revoked');
    // A token without `ver` (issued before versions existed) is version 0.
    expect(await bearer(`Bearer ${token({ sub: '7' })}`)).toMatchObject({ id: 7 });
    expect(await refusal(revoked({ tokenVersion: 2 }))).toBe('Token revoked');
  });

  it('lets a failing user lookup through as it is: a database outage is not a 401', async () => {
    const outage = new Error('connect ECONNREFUSED');
    const down = guardWith(() => Promise.reject(outage));
    await expect(authenticate(down, { headers: { authorization: `Bearer ${token({ sub: '7' })}` } })).rejects.toBe(
      outage,
    );
  });
});
