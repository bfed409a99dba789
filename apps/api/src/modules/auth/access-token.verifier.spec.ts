import { UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { describe, it } from '@jest/globals';
import { expect } from '../../../../../test/support/expect.js';
import type { AppConfig } from '../../config/env.js';
import type { UserRepository } from '../user/user.repository.js';
import { AccessTokenVerifier } from './access-token.verifier.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const jwt = new JwtService({ secret: SECRET, signOptions: { algorithm: 'HS256', expiresIn: 60 } });
const alice = { id: 7, email: 'alice@gavel.test', role: 'admin' };

function verifierWith(findById: (id: number) => Promise<unknown>): AccessTokenVerifier {
  return new AccessTokenVerifier({ jwtSecret: SECRET } as AppConfig, { findById } as unknown as UserRepository);
}

const users = verifierWith(async (id) => (id === alice.id ? alice : null));
const token = (claims: object, options: { expiresIn?: number } = {}) => jwt.sign({ roles: ['user'], email: 'x@y.z', ...claims }, options);

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthorizedException);
  return (error as UnauthorizedException).message;
}

describe(AccessTokenVerifier.name, () => {
  it('loads the user of a valid token, with the role from the database', async () => {
    expect(await users.authenticate(`Bearer ${token({ sub: '7' })}`, false)).toEqual({ id: 7, email: 'alice@gavel.test', roles: ['admin'] });
    // The scheme is case-insensitive, as passport-jwt and RFC 7235 read it.
    expect(await users.authenticate(`bearer ${token({ sub: '7' })}`, false)).toMatchObject({ id: 7 });
  });

  it('on subject-only routes passes the verified id on without a lookup', async () => {
    const noLookup = verifierWith(() => Promise.reject(new Error('must not be called')));
    expect(await noLookup.authenticate(`Bearer ${token({ sub: '12' })}`, true)).toEqual({ id: 12, tokenOnly: true });
  });

  it('answers "Missing bearer token" without a header, with another scheme or without a token', async () => {
    // The last one: 16 KB without a blank (the unanchored pattern passport-jwt used backtracked quadratically on it).
    for (const header of [undefined, '', 'Bearer', `Basic ${token({ sub: '7' })}`, 'Bearer    ', `Bearer${'a'.repeat(16_000)}`]) {
      expect(await refusal(users.authenticate(header, false)), String(header).slice(0, 40)).toBe('Missing bearer token');
    }
  });

  it('reads the header as passport-jwt did: leading blanks, any blanks between, extra words ignored', async () => {
    const valid = token({ sub: '7' });
    for (const header of [`  Bearer ${valid}`, `Bearer \t ${valid}`, `BEARER ${valid} trailing words`]) {
      expect(await users.authenticate(header, false), header.slice(0, 12)).toMatchObject({ id: 7 });
    }
  });

  it('answers "Token expired" for an expired token and "Invalid token" for every other bad one', async () => {
    expect(await refusal(users.authenticate(`Bearer ${token({ sub: '7' }, { expiresIn: -10 })}`, false))).toBe('Token expired');
    const forged = new JwtService({ secret: 'another-secret-of-at-least-32-characters' }).sign({ sub: '7' });
    const hs512 = jwt.sign({ sub: '7' }, { algorithm: 'HS512' });
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"7"}').toString('base64url')}.`;
    const [head, , signature] = token({ sub: '7' }).split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify({ sub: '7', roles: ['admin'] })).toString('base64url')}.${signature}`;
    for (const bad of [forged, hs512, unsigned, tampered, 'not.a.jwt', "' OR 1=1 --"]) {
      expect(await refusal(users.authenticate(`Bearer ${bad}`, false)), bad).toBe('Invalid token');
    }
  });

  it('refuses a subject that is not a positive integer, and the token of a deleted user', async () => {
    for (const sub of ['0', '-1', 'abc', '1.5', '9007199254740993']) {
      expect(await refusal(users.authenticate(`Bearer ${token({ sub })}`, true)), sub).toBe('Invalid token');
    }
    expect(await refusal(users.authenticate(`Bearer ${token({ sub: '8' })}`, false))).toBe('Invalid token');
  });

  it('lets a failing user lookup through as it is: a database outage is not a 401', async () => {
    const outage = new Error('connect ECONNREFUSED');
    const down = verifierWith(() => Promise.reject(outage));
    await expect(down.authenticate(`Bearer ${token({ sub: '7' })}`, false)).rejects.toBe(outage);
  });
});
