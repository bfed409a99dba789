import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { ConflictError, DomainError } from '../../common/errors.js';
import type { IdempotencyKey } from './idempotency-key.entity.js';
import { IdempotencyKeyReusedError, InvalidIdempotencyKeyError } from './idempotency.errors.js';
import type { IdempotencyRepository } from './idempotency.repository.js';
import { IDEMPOTENCY_TTL_MS, IdempotencyService } from './idempotency.service.js';

/** The table with its unique (scope, key) index. */
class FakeKeys {
  rows: IdempotencyKey[] = [];
  private nextId = 1;
  async claim(scope: string, key: string, fingerprint: string) {
    if (this.rows.some((r) => r.scope === scope && r.key === key)) return null;
    const row = {
      id: this.nextId++,
      scope,
      key,
      fingerprint,
      statusCode: null,
      responseBody: null,
      createdAt: new Date(),
    } as IdempotencyKey;
    this.rows.push(row);
    return row;
  }
  async find(scope: string, key: string) {
    return this.rows.find((r) => r.scope === scope && r.key === key) ?? null;
  }
  async complete(id: number, statusCode: number, responseBody: string) {
    Object.assign(
      this.rows.find((r) => r.id === id)!,
      { statusCode, responseBody },
    );
  }
  async delete(id: number) {
    this.rows = this.rows.filter((r) => r.id !== id);
  }
  async deleteAbandoned(id: number, before: Date) {
    const row = this.rows.find((r) => r.id === id && r.statusCode === null && r.createdAt < before);
    if (row) await this.delete(id);
    return Boolean(row);
  }
  async deleteCreatedBefore(before: Date) {
    const n = this.rows.length;
    this.rows = this.rows.filter((r) => r.createdAt >= before);
    return n - this.rows.length;
  }
}

class BoomError extends Error {}

describe(IdempotencyService.name, () => {
  let keys: FakeKeys;
  let service: IdempotencyService;
  let runs: number;
  const work = async () => ({ statusCode: 201, body: { run: ++runs } });
  const call = (key: string | undefined, request: unknown = { amountCents: 100 }) => ({
    scope: 'user:1:POST /x',
    key,
    request,
  });

  beforeEach(() => {
    keys = new FakeKeys();
    service = new IdempotencyService(keys as unknown as IdempotencyRepository);
    runs = 0;
  });

  it('without a key the work runs every time', async () => {
    await service.execute(call(undefined), work);
    await service.execute(call(undefined), work);
    expect(runs).toBe(2);
    expect(keys.rows).toEqual([]);
  });

  it('a repeat returns the first answer and does nothing else; key order in the body does not matter', async () => {
    const first = await service.execute(call('k', { a: 1, b: 2 }), work);
    const again = await service.execute(call('k', { b: 2, a: 1 }), work);
    expect(again).toEqual(first);
    expect(runs).toBe(1);
  });

  it('concurrent duplicates run the work once and all get its answer', async () => {
    const slow = async () => {
      await sleep(50);
      return work();
    };
    const answers = await Promise.all(Array.from({ length: 5 }, () => service.execute(call('k'), slow)));
    expect(runs).toBe(1);
    expect(answers).toEqual(Array(5).fill({ statusCode: 201, body: { run: 1 } }));
  });

  it('the same key for another request is refused (422)', async () => {
    await service.execute(call('k', { amountCents: 1 }), work);
    await expect(service.execute(call('k', { amountCents: 2 }), work)).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
  });

  it('keys are per scope', async () => {
    await service.execute({ scope: 'user:1', key: 'k', request: {} }, work);
    await service.execute({ scope: 'user:2', key: 'k', request: {} }, work);
    expect(runs).toBe(2);
  });

  it('a 4xx domain error is stored and replayed; anything else stores nothing so a retry runs for real', async () => {
    class TooLow extends ConflictError {}
    await expect(
      service.execute(call('low'), async () => Promise.reject(new TooLow('BID_TOO_LOW', 'too low'))),
    ).rejects.toBeInstanceOf(DomainError);
    expect(await service.execute(call('low'), work)).toEqual({
      statusCode: 409,
      body: { statusCode: 409, message: 'too low', error: 'Conflict' },
    });

    await expect(
      service.execute(call('boom'), async () => Promise.reject(new BoomError('db down'))),
    ).rejects.toBeInstanceOf(BoomError);
    expect(await service.execute(call('boom'), work)).toEqual({ statusCode: 201, body: { run: 1 } });
  });

  it('refuses keys that are empty, too long or not printable ASCII (400)', async () => {
    for (const key of ['', 'x'.repeat(256), 'tab\there', 'ünïcode']) {
      await expect(service.execute(call(key), work)).rejects.toBeInstanceOf(InvalidIdempotencyKeyError);
    }
    expect(await service.execute(call('x'.repeat(255)), work)).toEqual({ statusCode: 201, body: { run: 1 } });
  });

  it('an expired key runs again; deleteExpired removes keys older than 24 h', async () => {
    await service.execute(call('k'), work);
    keys.rows[0]!.createdAt = new Date(Date.now() - IDEMPOTENCY_TTL_MS - 1000);
    expect(await service.execute(call('k'), work)).toEqual({ statusCode: 201, body: { run: 2 } });
    keys.rows[0]!.createdAt = new Date(Date.now() - IDEMPOTENCY_TTL_MS - 1000);
    expect(await service.deleteExpired()).toBe(1);
    expect(keys.rows).toEqual([]);
  });
});
