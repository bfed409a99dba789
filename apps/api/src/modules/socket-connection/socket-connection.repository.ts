import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, MoreThan, type Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { isForeignKeyViolation } from '../../database/foreign-key-violation.js';
import { isUniqueViolation } from '../../database/unique-violation.js';
import { User } from '../user/user.entity.js';
import { SocketConnection } from './socket-connection.entity.js';

export interface NewSocketConnection {
  connectionId: string;
  userId: number;
  sourceIp: string | null;
  userAgent: string | null;
}

/** Every column but the generated id. */
const INSERTED_PROPERTIES = ['connectionId', 'userId', 'createdAt', 'lastSeenAt', 'sourceIp', 'userAgent'] as const satisfies readonly (keyof SocketConnection)[];
type InsertedProperty = (typeof INSERTED_PROPERTIES)[number];

/** The generated id of a one-row INSERT: mysql2 answers a result header, better-sqlite3 the last row id. */
function insertedId(raw: unknown): number {
  if (typeof raw === 'number' || typeof raw === 'bigint') return Number(raw);
  const header = raw as { insertId?: number | string } | undefined;
  return Number(header?.insertId);
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
    const entity = Object.assign(new SocketConnection(), connection, { createdAt: now, lastSeenAt: now });
    const { sql, columns } = this.insertStatement();
    const driver = this.connections.manager.connection.driver;
    try {
      // One plain INSERT: this runs once per WebSocket connection, and the query builder's insert()
      // (expression building, escaping, re-reading generated columns) cost more CPU than the statement.
      // Values go through the driver's own conversion (datetime formats differ between MySQL and SQLite).
      // Never save(): it wraps the statement in a transaction, and on SQLite every request shares one
      // connection, so a failing save() (a unique violation) would roll back other requests' work.
      const raw: unknown = await this.connections.query(
        sql,
        columns.map((column) => driver.preparePersistentValue(entity[column.propertyName as InsertedProperty], column)),
      );
      entity.id = insertedId(raw);
      return entity;
    } catch (error) {
      if (isUniqueViolation(error)) return 'taken';
      // user_id is the table's only foreign key.
      if (isForeignKeyViolation(error)) return 'unknown-user';
      throw error;
    }
  }

  private insertPlan?: { sql: string; columns: ColumnMetadata[] };

  /** `INSERT INTO socket_connections (...) VALUES (?, ...)`, from the entity's metadata, quoted for this database. */
  private insertStatement(): { sql: string; columns: ColumnMetadata[] } {
    if (!this.insertPlan) {
      const { metadata, manager } = this.connections;
      const driver = manager.connection.driver;
      const columns = INSERTED_PROPERTIES.map((property) => {
        const column = metadata.findColumnWithPropertyName(property);
        if (!column) throw new Error(`SocketConnection has no column for ${property}`);
        return column;
      });
      const names = columns.map((column) => driver.escape(column.databaseName)).join(', ');
      const placeholders = columns.map(() => '?').join(', ');
      this.insertPlan = { sql: `INSERT INTO ${driver.escape(metadata.tableName)} (${names}) VALUES (${placeholders})`, columns };
    }
    return this.insertPlan;
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
