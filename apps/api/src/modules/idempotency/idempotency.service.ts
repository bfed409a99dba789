import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors.js';
import { HttpExceptionFilter } from '../../common/http-exception.filter.js';
import { canonicalJson } from './canonical-json.js';
import type { IdempotencyKey } from './idempotency-key.entity.js';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
} from './idempotency.errors.js';
import { IdempotencyRepository } from './idempotency.repository.js';

/** A repeat within this window returns the first answer (contract §4: 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim still pending after this long belongs to a process that died: it may be taken over. */
const ABANDONED_AFTER_MS = 60_000;
/** How long a duplicate waits for the first request to finish before answering 409. */
const WAIT_FOR_FIRST_MS = 10_000;
const POLL_MS = 25;

const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export interface Answer<T> {
  statusCode: number;
  body: T;
}

export interface IdempotentCall {
  /** Who and which route: `user:42:POST /auctions/:id/bids`. Keys are unique per scope. */
  scope: string;
  /** The `Idempotency-Key` header; without one the work simply runs. */
  key: string | undefined;
  /** What identifies the request (route params and body); the same key with another request is refused. */
  request: unknown;
}

/**
 * Runs a request at most once per (scope, key): the first caller claims the key with a pending row,
 * runs the work and stores the answer (also a 4xx domain error, as Stripe does); repeats — also
 * concurrent ones — wait for and return that stored answer and do nothing else. A 5xx stores nothing,
 * so the client may retry for real.
 */
@Injectable()
export class IdempotencyService {
  private readonly errors = new HttpExceptionFilter();

  constructor(private readonly keys: IdempotencyRepository) {}

  async execute<T>(call: IdempotentCall, work: () => Promise<Answer<T>>): Promise<Answer<T>> {
    if (call.key === undefined) return work();
    if (!KEY_PATTERN.test(call.key)) throw new InvalidIdempotencyKeyError();
    const fingerprint = createHash('sha256').update(canonicalJson(call.request)).digest('hex');

    for (let attempt = 0; attempt < 5; attempt++) {
      const claim = await this.keys.claim(call.scope, call.key, fingerprint);
      if (claim) return this.runAndStore(claim, work);
      const existing = await this.waitForAnswer(call.scope, call.key);
      if (!existing) continue; // the first attempt failed (5xx), expired or was abandoned: claim again
      if (existing.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
      if (existing.statusCode === null || existing.responseBody === null) throw new IdempotencyKeyInProgressError();
      return { statusCode: existing.statusCode, body: JSON.parse(existing.responseBody) as T };
    }
    throw new IdempotencyKeyInProgressError();
  }

  /** Removes keys past their 24 h (the sweeper calls this). */
  deleteExpired(now = new Date()): Promise<number> {
    return this.keys.deleteCreatedBefore(new Date(now.getTime() - IDEMPOTENCY_TTL_MS));
  }

  private async runAndStore<T>(claim: IdempotencyKey, work: () => Promise<Answer<T>>): Promise<Answer<T>> {
    let answer: Answer<T>;
    try {
      answer = await work();
    } catch (error) {
      if (error instanceof DomainError && error.status < 500) {
        await this.keys.complete(claim.id, error.status, JSON.stringify(this.errors.toBody(error)));
      } else {
        await this.keys.delete(claim.id).catch(() => undefined);
      }
      throw error;
    }
    await this.keys.complete(claim.id, answer.statusCode, JSON.stringify(answer.body));
    return answer;
  }

  /** The stored row once it has an answer; null when it vanished or was expired/abandoned (and is now removed). */
  private async waitForAnswer(scope: string, key: string): Promise<IdempotencyKey | null> {
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const row = await this.keys.find(scope, key);
      if (!row) return null;
      const age = Date.now() - row.createdAt.getTime();
      if (age > IDEMPOTENCY_TTL_MS) {
        await this.keys.delete(row.id);
        return null;
      }
      if (row.statusCode !== null) return row;
      if (
        age > ABANDONED_AFTER_MS &&
        (await this.keys.deleteAbandoned(row.id, new Date(Date.now() - ABANDONED_AFTER_MS)))
      )
        return null;
      if (Date.now() >= deadline) return row;
      await sleep(POLL_MS);
    }
  }
}
