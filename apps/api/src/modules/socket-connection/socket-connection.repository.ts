import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, MoreThan, QueryFailedError, type Repository } from 'typeorm';
import { isUniqueViolation } from '../../database/unique-violation.js';
import { User } from '../user/user.entity.js';
import { SocketConnection } from './socket-connection.entity.js';

export interface NewSocketConnection {
  connectionId: string;
  userId: number;
  sourceIp: string | null;
  userAgent: string | null;
}

/** The row's user_id references no user (MySQL/MariaDB ER_NO_REFERENCED_ROW_2, SQLite SQLITE_CONSTRAINT_FOREIGNKEY). */
function isMissingUserViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; errno?: number } | undefined;
  return driverError?.code === 'ER_NO_REFERENCED_ROW_2' || driverError?.errno === 1452 || driverError?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Batches stay well under every database's bound-parameter limit. */
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) result.push(items.slice(i, i + CHUNK));
  return result;
}

@Injectable()
export class SocketConnectionRepository {
  constructor(@InjectRepository(SocketConnection) private readonly connections: Repository<SocketConnection>) {}

  findByConnectionId(connectionId: string): Promise<SocketConnection | null> {
    return this.connections.findOneBy({ connectionId });
  }

  /** The row with its user loaded (admin views need the email). */
  findWithUser(connectionId: string): Promise<SocketConnection | null> {
    return this.connections.findOne({ where: { connectionId }, relations: { user: true } });
  }

  /**
   * Inserts the row. `'taken'` when the id is already registered (also by a concurrent insert);
   * `'unknown-user'` when no user has that id (the foreign key refused it: deleted, or never existed).
   */
  async insert(connection: NewSocketConnection): Promise<SocketConnection | 'taken' | 'unknown-user'> {
    const now = new Date();
    const entity = this.connections.create({ ...connection, createdAt: now, lastSeenAt: now });
    try {
      // insert(), not save(): save() wraps the statement in a transaction, and on SQLite every request
      // shares one connection, so a failing save() (a unique violation) would roll back whatever other
      // requests ran on it meanwhile.
      await this.connections.insert(entity);
      return entity;
    } catch (error) {
      if (isUniqueViolation(error)) return 'taken';
      if (isMissingUserViolation(error)) return 'unknown-user';
      throw error;
    }
  }

  /** Whether the user exists (for the rare answers the insert alone cannot decide). */
  userExists(userId: number): Promise<boolean> {
    return this.connections.manager.existsBy(User, { id: userId });
  }

  findByUser(userId: number): Promise<SocketConnection[]> {
    return this.connections.find({ where: { userId }, order: { id: 'ASC' } });
  }

  async findConnectionIdsByUser(userId: number): Promise<string[]> {
    const rows = await this.connections.find({ select: { connectionId: true }, where: { userId }, order: { id: 'ASC' } });
    return rows.map((row) => row.connectionId);
  }

  /** Keyset page over all connections, ordered by id: pass the last id you got (0 to start). */
  async pageConnectionIds(afterId: number, limit: number): Promise<{ id: number; connectionId: string }[]> {
    const rows = await this.connections.find({ select: { id: true, connectionId: true }, where: { id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit });
    return rows.map(({ id, connectionId }) => ({ id, connectionId }));
  }

  /** Admin listing page: rows with id > afterId (optionally of one user), users joined, plus the total. */
  async pageWithUsers(options: { afterId: number; limit: number; userId?: number }): Promise<{ rows: SocketConnection[]; total: number }> {
    const filter = options.userId === undefined ? {} : { userId: options.userId };
    const [rows, total] = await Promise.all([
      this.connections.find({ where: { ...filter, id: MoreThan(options.afterId) }, relations: { user: true }, order: { id: 'ASC' }, take: options.limit }),
      this.connections.countBy(filter),
    ]);
    return { rows, total };
  }

  async deleteByConnectionId(connectionId: string): Promise<boolean> {
    return (await this.deleteByConnectionIds([connectionId])) > 0;
  }

  /** Deletes the rows of these ids; returns how many existed. */
  async deleteByConnectionIds(connectionIds: string[]): Promise<number> {
    let deleted = 0;
    for (const chunk of chunks([...new Set(connectionIds)])) {
      const result = await this.connections.delete({ connectionId: In(chunk) });
      deleted += result.affected ?? 0;
    }
    return deleted;
  }

  /** Marks these connections as seen now (e.g. after a successful push). */
  async touch(connectionIds: string[]): Promise<void> {
    const now = new Date();
    for (const chunk of chunks([...new Set(connectionIds)])) {
      await this.connections.update({ connectionId: In(chunk) }, { lastSeenAt: now });
    }
  }

  count(): Promise<number> {
    return this.connections.count();
  }

  async countUsersOnline(): Promise<number> {
    const row = await this.connections.createQueryBuilder('c').select('COUNT(DISTINCT c.user_id)', 'n').getRawOne<{ n: number | string }>();
    return Number(row?.n ?? 0);
  }
}
