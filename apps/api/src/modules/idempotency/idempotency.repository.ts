import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, type Repository } from 'typeorm';
import { isUniqueViolation } from '../../database/driver-errors.js';
import { IdempotencyKey } from './idempotency-key.entity.js';

@Injectable()
export class IdempotencyRepository {
  constructor(@InjectRepository(IdempotencyKey) private readonly keys: Repository<IdempotencyKey>) {}

  /** Claims the key with a pending row; null when someone already holds it (also a concurrent claim). */
  async claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyKey | null> {
    const row = this.keys.create({
      scope,
      key,
      fingerprint,
      statusCode: null,
      responseBody: null,
      createdAt: new Date(),
    });
    try {
      await this.keys.insert(row);
      return row;
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  find(scope: string, key: string): Promise<IdempotencyKey | null> {
    return this.keys.findOneBy({ scope, key });
  }

  async complete(id: number, statusCode: number, responseBody: string): Promise<void> {
    await this.keys.update({ id }, { statusCode, responseBody });
  }

  async delete(id: number): Promise<void> {
    await this.keys.delete({ id });
  }

  /** Deletes a claim that never completed (its process died); true when this call removed it. */
  async deleteAbandoned(id: number, claimedBefore: Date): Promise<boolean> {
    const result = await this.keys.delete({ id, statusCode: IsNull(), createdAt: LessThan(claimedBefore) });
    return (result.affected ?? 0) > 0;
  }

  /** Removes keys created before `before`; returns how many. */
  async deleteCreatedBefore(before: Date): Promise<number> {
    const result = await this.keys.delete({ createdAt: LessThan(before) });
    return result.affected ?? 0;
  }
}
