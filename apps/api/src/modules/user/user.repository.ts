import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Raw, type Repository } from 'typeorm';
import type { Role } from '../../common/auth-user.js';
import { WriteBatcher } from '../../common/write-batcher.js';
import { databaseTime } from '../../database/database-time.js';
import { isUniqueViolation } from '../../database/driver-errors.js';
import { EmailTakenError } from './user.errors.js';
import { User } from './user.entity.js';

export interface NewUser {
  email: string;
  displayName: string;
  passwordHash: string;
  role: Role;
}

/** What an authenticated request needs to know of its caller (JwtStrategy.validate). */
export interface Caller {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  tokenVersion: number;
  /** An admin has blocked the user. */
  blocked: boolean;
}

/** Users per last_seen_at UPDATE at most. */
const LAST_SEEN_BATCH = 200;

@Injectable()
export class UserRepository {
  private readonly lastSeenWrites = new WriteBatcher<number, void>(
    (ids) => this.writeLastSeen(ids),
    async (id) => void (await this.writeLastSeen([id])),
    { maxItems: LAST_SEEN_BATCH },
  );

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  exists(id: number): Promise<boolean> {
    return this.users.existsBy({ id });
  }

  findById(id: number): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /**
   * The caller of an authenticated request, read on every one of them: plain SQL with a placeholder, as
   * the push paths' reads are, because the query builder rebuilds `findOneBy` each time and on SQLite
   * writes the id into the SQL text (a new prepared statement per user).
   */
  async findCaller(id: number): Promise<Caller | null> {
    type Row = {
      id: number | string;
      email: string;
      display_name: string;
      role: Role;
      token_version: number | string;
      blocked_at: unknown;
    };
    const rows: Row[] = await this.users.query(
      'SELECT id, email, display_name, role, token_version, blocked_at FROM users WHERE id = ?',
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: Number(row.id),
      email: row.email,
      displayName: row.display_name,
      role: row.role,
      tokenVersion: Number(row.token_version),
      blocked: row.blocked_at !== null,
    };
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: email.toLowerCase() });
  }

  /** Inserts a user; a taken email (also under a concurrent insert) becomes `EmailTakenError`. */
  async create(user: NewUser): Promise<User> {
    const now = new Date();
    const entity = this.users.create({ ...user, email: user.email.toLowerCase(), createdAt: now, updatedAt: now });
    try {
      // insert(), not save(): no transaction on SQLite's shared connection (see SocketConnectionRepository.insert).
      await this.users.insert(entity);
      return entity;
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }

  async updateRole(id: number, role: Role): Promise<void> {
    await this.users.update({ id }, { role, updatedAt: new Date() });
  }

  async updatePasswordHash(id: number, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash, updatedAt: new Date() });
  }

  /** Deletes the user; the database cascades to their socket connections (and later rows). */
  async delete(id: number): Promise<boolean> {
    const result = await this.users.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Revokes every token issued so far (one atomic increment, so concurrent calls from several API copies
   * each take effect), and sets or clears the block with it. Returns false for an unknown user.
   */
  async revokeTokens(id: number, block?: boolean): Promise<boolean> {
    const now = new Date();
    const result = await this.users
      .createQueryBuilder()
      .update(User)
      .set({
        tokenVersion: () => 'token_version + 1',
        updatedAt: now,
        ...(block === undefined ? {} : { blockedAt: block ? now : null }),
      })
      .where('id = :id', { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Clears the block; tokens stay revoked. Returns false for an unknown user. */
  async unblock(id: number): Promise<boolean> {
    const result = await this.users.update({ id }, { blockedAt: null, updatedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Sets last_seen_at to now. Concurrent calls share one UPDATE (registrations and `$disconnect`s of many
   * users come in bursts), in plain SQL: it runs on the connect and disconnect paths.
   */
  touchLastSeen(id: number): Promise<void> {
    return this.lastSeenWrites.add(id);
  }

  private async writeLastSeen(ids: number[]): Promise<void[]> {
    const unique = [...new Set(ids)];
    await this.users.query(`UPDATE users SET last_seen_at = ? WHERE id IN (${unique.map(() => '?').join(', ')})`, [
      databaseTime(this.users.manager.connection, new Date()),
      ...unique,
    ]);
    return ids.map(() => undefined);
  }

  /** Users whose e-mail is `email` or starts with it (lower-cased; LIKE wildcards in it are matched literally), by e-mail. */
  findByEmailPrefix(email: string, limit: number): Promise<User[]> {
    // '!' as the escape character: neither database agrees on a default one (SQLite has none).
    const pattern = `${email.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
    return this.users.find({
      where: { email: Raw((column) => `${column} LIKE :pattern ESCAPE '!'`, { pattern }) },
      order: { email: 'ASC' },
      take: limit,
    });
  }

  /** last_seen_at of these users (ids without a row are absent). */
  async findLastSeen(ids: number[]): Promise<Map<number, Date | null>> {
    if (ids.length === 0) return new Map();
    const rows = await this.users.find({ select: { id: true, lastSeenAt: true }, where: ids.map((id) => ({ id })) });
    return new Map(rows.map((row) => [row.id, row.lastSeenAt]));
  }

  count(): Promise<number> {
    return this.users.count();
  }
}
