import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, IsNull, LessThanOrEqual, MoreThan, type Repository } from 'typeorm';
import { WriteBatcher } from '../../common/write-batcher.js';
import { isForeignKeyViolation } from '../../database/driver-errors.js';
import { multiRowInsertIdsAreConsecutive } from '../../database/multi-row-insert-ids.js';
import { Notification } from './notification.entity.js';
import { NotificationRecipientNotFoundError } from './notification.errors.js';

export interface NewNotification {
  userId: number;
  kind: string;
  title: string;
  body: string | null;
  /** JSON text, or null. */
  data: string | null;
}

/** Rows per multi-row INSERT at most, and their text at most (well inside MySQL's max_allowed_packet). */
const BATCH_ROWS = 64;
const BATCH_CHARS = 1_000_000;
/** users.id is a signed 32-bit INTEGER on MySQL: a larger id names no user (and would fail the INSERT as out of range, not as a foreign key). */
const MAX_USER_ID = 2_147_483_647;

@Injectable()
export class NotificationRepository {
  private readonly writes = new WriteBatcher<NewNotification, Notification>(
    (inputs) => this.insertBatch(inputs),
    (input) => this.insertOne(input),
    {
      maxItems: BATCH_ROWS,
      maxWeight: BATCH_CHARS,
      weigh: (n) => n.title.length + (n.body?.length ?? 0) + (n.data?.length ?? 0),
    },
  );

  constructor(@InjectRepository(Notification) private readonly notifications: Repository<Notification>) {}

  /**
   * Stores one notification; concurrent calls share one multi-row INSERT (ids follow the call order).
   * An unknown user (the foreign key) becomes NotificationRecipientNotFoundError.
   */
  insert(input: NewNotification): Promise<Notification> {
    if (!Number.isSafeInteger(input.userId) || input.userId < 1 || input.userId > MAX_USER_ID)
      return Promise.reject(new NotificationRecipientNotFoundError(input.userId));
    return this.writes.add(input);
  }

  private async insertOne(input: NewNotification): Promise<Notification> {
    const row = this.notifications.create({ ...input, createdAt: new Date() });
    try {
      // insert(), not save(): one statement, no implicit transaction, and the generated id lands on `row`.
      await this.notifications.insert(row);
      return row;
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new NotificationRecipientNotFoundError(input.userId);
      throw error;
    }
  }

  /**
   * One INSERT for all: TypeORM derives the ids from the first id (MySQL's insertId) or the last
   * (SQLite's lastInsertRowid) — both consecutive for one multi-row INSERT on either database.
   */
  private async insertBatch(inputs: NewNotification[]): Promise<Notification[]> {
    if (!(await multiRowInsertIdsAreConsecutive(this.notifications.manager.connection)))
      return this.insertEachOf(inputs);
    const createdAt = new Date();
    const rows = inputs.map((input) => this.notifications.create({ ...input, createdAt }));
    await this.notifications.insert(rows);
    return rows;
  }

  private async insertEachOf(inputs: NewNotification[]): Promise<Notification[]> {
    const rows: Notification[] = [];
    for (const input of inputs) rows.push(await this.insertOne(input));
    return rows;
  }

  /** The user's notifications with id > afterId, oldest first, at most `limit`. */
  findAfter(userId: number, afterId: number, limit: number): Promise<Notification[]> {
    return this.notifications.find({ where: { userId, id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit });
  }

  /** The NEWEST `limit` notifications with afterId < id (≤ upToId when given), newest first, for the replay on `auth`. */
  findNewestAfter(userId: number, afterId: number, limit: number, upToId?: number): Promise<Notification[]> {
    const id = upToId === undefined ? MoreThan(afterId) : Between(afterId + 1, upToId);
    return this.notifications.find({ where: { userId, id }, order: { id: 'DESC' }, take: limit });
  }

  /** Marks the user's unread notifications with id ≤ upToId read; returns how many changed. */
  async markRead(userId: number, upToId: number, at = new Date()): Promise<number> {
    const result = await this.notifications.update(
      { userId, id: LessThanOrEqual(upToId), readAt: IsNull() },
      { readAt: at },
    );
    return result.affected ?? 0;
  }

  /** Plain SQL: every auth.ok carries it, and countBy() spent ~86 µs of CPU building the statement each time. */
  async countUnread(userId: number): Promise<number> {
    const rows = (await this.notifications.query(
      'SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND read_at IS NULL',
      [userId],
    )) as { n: number | string }[];
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * The user's highest notification id (0 when there is none; one step down the (user_id, id) index) and
   * their unread count, in one round trip: a welcome reads both at the same point. Plain SQL, like countUnread.
   */
  async findNewestIdAndUnread(userId: number): Promise<{ newestId: number; unread: number }> {
    const rows = (await this.notifications.query(
      `SELECT (SELECT MAX(id) FROM notifications WHERE user_id = ?) AS id,
              (SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL) AS n`,
      [userId, userId],
    )) as { id: number | string | null; n: number | string }[];
    const row = rows[0];
    return { newestId: row?.id == null ? 0 : Number(row.id), unread: Number(row?.n ?? 0) };
  }
}
