import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, LessThanOrEqual, MoreThan, type Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { WriteBatcher } from '../../common/write-batcher.js';
import { databaseTime } from '../../database/database-time.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../database/driver-errors.js';
import { firstInsertedId, multiRowInsertIdsAreConsecutive } from '../../database/multi-row-insert-ids.js';
import { runUpdate } from '../../database/run-update.js';
import { SocketConnection } from './socket-connection.entity.js';

export interface NewSocketConnection {
  connectionId: string;
  userId: number;
  sourceIp: string | null;
  userAgent: string | null;
  /** The token's `exp`; null or absent: the registration does not expire. */
  expiresAt?: Date | null;
}

/** Every column but the generated id. */
const INSERTED_PROPERTIES = [
  'connectionId',
  'userId',
  'createdAt',
  'lastSeenAt',
  'sourceIp',
  'userAgent',
  'expiresAt',
] as const satisfies readonly (keyof SocketConnection)[];
type InsertedProperty = (typeof INSERTED_PROPERTIES)[number];

/** Registrations per multi-row INSERT at most (384 bound values: far inside every database's limits). */
const BATCH_ROWS = 64;

type InsertOutcome = SocketConnection | 'taken' | 'unknown-user';

/** Rows whose registration has not run out (`:now` bound to the current time); NULL never expires. */
export const UNEXPIRED = '(c.expires_at IS NULL OR c.expires_at > :now)';
/** The same in plain SQL, the time as the next `?` parameter. */
export const UNEXPIRED_SQL = '(c.expires_at IS NULL OR c.expires_at > ?)';

/** Batches stay well under every database's bound-parameter limit. */
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) result.push(items.slice(i, i + CHUNK));
  return result;
}

@Injectable()
export class SocketConnectionRepository {
  private readonly writes = new WriteBatcher<SocketConnection, InsertOutcome>(
    (rows) => this.insertBatch(rows),
    (row) => this.insertOne(row),
    { maxItems: BATCH_ROWS },
  );

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
   * Concurrent calls share one multi-row INSERT; a batch that fails is retried row by row, so each
   * caller still gets its own row's outcome.
   */
  insert(connection: NewSocketConnection): Promise<InsertOutcome> {
    const now = new Date();
    return this.writes.add(
      Object.assign(new SocketConnection(), connection, {
        expiresAt: connection.expiresAt ?? null,
        createdAt: now,
        lastSeenAt: now,
        notificationsSentAfter: null,
        welcomeCutoff: null,
      }),
    );
  }

  private async insertOne(row: SocketConnection): Promise<InsertOutcome> {
    try {
      row.id = firstInsertedId(await this.runInsert([row]), 1);
      return row;
    } catch (error) {
      if (isUniqueViolation(error)) return 'taken';
      // user_id is the table's only foreign key.
      if (isForeignKeyViolation(error)) return 'unknown-user';
      throw error;
    }
  }

  /**
   * One INSERT for all; any violation fails the whole statement (nothing of it is stored) and the
   * batcher retries row by row. The ids are consecutive within one statement, so each row's id
   * follows from the one the driver answers.
   */
  private async insertBatch(rows: SocketConnection[]): Promise<InsertOutcome[]> {
    if (!(await multiRowInsertIdsAreConsecutive(this.connections.manager.connection))) return this.insertEachOf(rows);
    const firstId = firstInsertedId(await this.runInsert(rows), rows.length);
    rows.forEach((row, i) => (row.id = firstId + i));
    return rows;
  }

  private async insertEachOf(rows: SocketConnection[]): Promise<InsertOutcome[]> {
    const outcomes: InsertOutcome[] = [];
    for (const row of rows) outcomes.push(await this.insertOne(row));
    return outcomes;
  }

  /**
   * A plain INSERT of these rows: this runs once per WebSocket connection, and the query builder's
   * insert() (expression building, escaping, re-reading generated columns) cost more CPU than the statement.
   * Values go through the driver's own conversion (datetime formats differ between MySQL and SQLite).
   * Never save(): it wraps the statement in a transaction, and on SQLite every request shares one
   * connection, so a failing save() (a unique violation) would roll back other requests' work.
   */
  private runInsert(rows: SocketConnection[]): Promise<unknown> {
    const { head, tuple, columns } = this.insertStatement();
    const driver = this.connections.manager.connection.driver;
    const values: unknown[] = [];
    for (const row of rows)
      for (const column of columns)
        values.push(driver.preparePersistentValue(row[column.propertyName as InsertedProperty], column));
    return this.connections.query(`${head} VALUES ${Array<string>(rows.length).fill(tuple).join(', ')}`, values);
  }

  private databaseTime(at = new Date()): Date | string {
    return databaseTime(this.connections.manager.connection, at);
  }

  /** Rows whose registration ran out at `now`, oldest first, at most `limit` (the expiry sweep's candidates). */
  async findExpired(now: Date, limit: number): Promise<{ connectionId: string; userId: number; expiresAt: Date }[]> {
    return this.connections.find({
      select: { connectionId: true, userId: true, expiresAt: true },
      where: { expiresAt: LessThanOrEqual(now) },
      order: { expiresAt: 'ASC' },
      take: limit,
    }) as Promise<{ connectionId: string; userId: number; expiresAt: Date }[]>;
  }

  /**
   * Claims an expired row for this API copy: deletes it only while it is still expired at `now` (a fresh
   * `auth` may just have extended it). True for exactly one caller, however many copies sweep at once.
   */
  async claimExpired(connectionId: string, now: Date): Promise<boolean> {
    const result = await this.connections.delete({ connectionId, expiresAt: LessThanOrEqual(now) });
    return (result.affected ?? 0) > 0;
  }

  private insertPlan?: { head: string; tuple: string; columns: ColumnMetadata[] };

  /** `INSERT INTO socket_connections (...)` and `(?, ...)`, from the entity's metadata, quoted for this database. */
  private insertStatement(): { head: string; tuple: string; columns: ColumnMetadata[] } {
    if (!this.insertPlan) {
      const { metadata, manager } = this.connections;
      const driver = manager.connection.driver;
      const columns = INSERTED_PROPERTIES.map((property) => {
        const column = metadata.findColumnWithPropertyName(property);
        if (!column) throw new Error(`SocketConnection has no column for ${property}`);
        return column;
      });
      const names = columns.map((column) => driver.escape(column.databaseName)).join(', ');
      this.insertPlan = {
        head: `INSERT INTO ${driver.escape(metadata.tableName)} (${names})`,
        tuple: `(${columns.map(() => '?').join(', ')})`,
        columns,
      };
    }
    return this.insertPlan;
  }

  /**
   * The user's connections registered before the row `id` (ids grow with registration order). Plain SQL: it runs
   * on every registration, and countBy() built the statement anew each time (~20 µs of CPU more per call).
   */
  async countOfUserBefore(userId: number, id: number): Promise<number> {
    const rows = (await this.connections.query(
      'SELECT COUNT(*) AS n FROM socket_connections WHERE user_id = ? AND id < ?',
      [userId, id],
    )) as { n: number | string }[];
    return Number(rows[0]?.n ?? 0);
  }

  findByUser(userId: number): Promise<SocketConnection[]> {
    return this.connections.find({ where: { userId }, order: { id: 'ASC' } });
  }

  // The push paths read plain rows, in plain SQL with placeholders: building 1,000 entities per broadcast
  // page only to copy two fields out of them cost more than the query, and the query builder writes
  // numbers into the SQL text on SQLite, so each user id and cursor made a new statement to prepare.

  async findConnectionIdsByUser(userId: number): Promise<string[]> {
    const rows = (await this.connections.query(
      `SELECT c.connection_id AS connectionId FROM socket_connections c
        WHERE c.user_id = ? AND ${UNEXPIRED_SQL} ORDER BY c.id ASC`,
      [userId, this.databaseTime()],
    )) as { connectionId: string }[];
    return rows.map((row) => row.connectionId);
  }

  /** Keyset page over all connections, ordered by id: pass the last id you got (0 to start). */
  async pageConnectionIds(afterId: number, limit: number): Promise<{ id: number; connectionId: string }[]> {
    const rows = (await this.connections.query(
      `SELECT c.id AS id, c.connection_id AS connectionId FROM socket_connections c
        WHERE c.id > ? AND ${UNEXPIRED_SQL} ORDER BY c.id ASC LIMIT ?`,
      [afterId, this.databaseTime(), limit],
    )) as { id: number | string; connectionId: string }[];
    return rows.map((row) => ({ id: Number(row.id), connectionId: row.connectionId }));
  }

  /** Admin listing page: rows with id > afterId (optionally of one user), users joined, plus the total. */
  async pageWithUsers(options: {
    afterId: number;
    limit: number;
    userId?: number;
  }): Promise<{ rows: SocketConnection[]; total: number }> {
    const filter = options.userId === undefined ? {} : { userId: options.userId };
    const [rows, total] = await Promise.all([
      this.connections.find({
        where: { ...filter, id: MoreThan(options.afterId) },
        relations: { user: true },
        order: { id: 'ASC' },
        take: options.limit,
      }),
      this.connections.countBy(filter),
    ]);
    return { rows, total };
  }

  /** What the welcome recorded on the row: undefined without a row. */
  async findWelcomeState(
    connectionId: string,
  ): Promise<{ sentAfter: number | null; welcomeCutoff: number | null } | undefined> {
    const row = await this.connections
      .createQueryBuilder('c')
      .select('c.notificationsSentAfter', 'sentAfter')
      .addSelect('c.welcomeCutoff', 'welcomeCutoff')
      .where('c.connectionId = :connectionId', { connectionId })
      .getRawOne<{ sentAfter: number | string | null; welcomeCutoff: number | string | null }>();
    if (!row) return undefined;
    const toNumber = (v: number | string | null) => (v === null ? null : Number(v));
    return { sentAfter: toNumber(row.sentAfter), welcomeCutoff: toNumber(row.welcomeCutoff) };
  }

  /** The connection's notifications_sent_after: undefined when there is no such row, null before its first welcome. */
  async findNotificationsSentAfter(connectionId: string): Promise<number | null | undefined> {
    const row = await this.connections
      .createQueryBuilder('c')
      .select('c.notificationsSentAfter', 'sentAfter')
      .where('c.connectionId = :connectionId', { connectionId })
      .getRawOne<{ sentAfter: number | string | null }>();
    if (!row) return undefined;
    return row.sentAfter === null ? null : Number(row.sentAfter);
  }

  /**
   * Compare-and-set of notifications_sent_after: true when the row still held `expected` and now holds
   * `next`; false when another welcome changed it first (any API copy) or the row is gone.
   * Plain SQL: every first welcome runs it, and update() built the statement anew each time.
   */
  async moveNotificationsSentAfter(
    connectionId: string,
    expected: number | null,
    next: number,
    welcomeCutoff?: number,
  ): Promise<boolean> {
    // The first welcome records its replay's upper bound with it (see welcome_cutoff).
    const withCutoff = expected === null && welcomeCutoff !== undefined;
    const set = withCutoff ? 'notifications_sent_after = ?, welcome_cutoff = ?' : 'notifications_sent_after = ?';
    const held = expected === null ? 'notifications_sent_after IS NULL' : 'notifications_sent_after = ?';
    const params: unknown[] = withCutoff ? [next, welcomeCutoff] : [next];
    params.push(connectionId);
    if (expected !== null) params.push(expected);
    const changed = await runUpdate(
      this.connections.manager.connection,
      `UPDATE socket_connections SET ${set} WHERE connection_id = ? AND ${held}`,
      params,
    );
    return changed > 0;
  }

  /**
   * What a registration checks once its row is written, in one round trip: the user's token state
   * (undefined: no such user), how many of the user's rows precede row `before` (the connection limit;
   * `before` null: not asked, answers 0), and whether users.last_seen_at is older than `seenSince`
   * (or unset). Plain SQL: it runs on every registration.
   */
  async findRegistrationState(
    userId: number,
    before: number | null,
    seenSince: Date,
  ): Promise<
    { tokenVersion: number; blocked: boolean; connectionsBefore: number; lastSeenBefore: boolean } | undefined
  > {
    const count =
      before === null ? '0' : '(SELECT COUNT(*) FROM socket_connections c WHERE c.user_id = ? AND c.id < ?)';
    const params: unknown[] = before === null ? [] : [userId, before];
    params.push(this.databaseTime(seenSince), userId);
    const rows = (await this.connections.query(
      `SELECT u.token_version AS tokenVersion, u.blocked_at AS blockedAt, ${count} AS connectionsBefore,
              CASE WHEN u.last_seen_at IS NULL OR u.last_seen_at < ? THEN 1 ELSE 0 END AS lastSeenBefore
         FROM users u WHERE u.id = ?`,
      params,
    )) as {
      tokenVersion: number | string;
      blockedAt: unknown;
      connectionsBefore: number | string;
      lastSeenBefore: number | string;
    }[];
    const row = rows[0];
    return (
      row && {
        tokenVersion: Number(row.tokenVersion),
        blocked: row.blockedAt !== null,
        connectionsBefore: Number(row.connectionsBefore),
        lastSeenBefore: Number(row.lastSeenBefore) === 1,
      }
    );
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

  /** Deletes the rows created before `before` (the housekeeping sweep); returns how many there were. */
  async deleteCreatedBefore(before: Date): Promise<number> {
    const result = await this.connections.delete({ createdAt: LessThan(before) });
    return result.affected ?? 0;
  }

  /** A repeated `auth`: the registration now lasts until `expiresAt`. False when the row is gone (expired and swept, or closed). */
  async extend(connectionId: string, expiresAt: Date | null): Promise<boolean> {
    const result = await this.connections.update({ connectionId }, { expiresAt, lastSeenAt: new Date() });
    return (result.affected ?? 0) > 0;
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

  /** Unexpired connections per user, for these users (users without one are absent). */
  async countByUsers(userIds: number[]): Promise<Map<number, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.connections
      .createQueryBuilder('c')
      .select('c.user_id', 'userId')
      .addSelect('COUNT(*)', 'n')
      .where('c.user_id IN (:...userIds)', { userIds })
      .andWhere(UNEXPIRED, { now: this.databaseTime() })
      .groupBy('c.user_id')
      .getRawMany<{ userId: number | string; n: number | string }>();
    return new Map(rows.map((row) => [Number(row.userId), Number(row.n)]));
  }

  async countUsersOnline(): Promise<number> {
    const row = await this.connections
      .createQueryBuilder('c')
      .select('COUNT(DISTINCT c.user_id)', 'n')
      .getRawOne<{ n: number | string }>();
    return Number(row?.n ?? 0);
  }
}
