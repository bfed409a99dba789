import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, type Repository } from 'typeorm';
import { Notification } from './notification.entity.js';

export interface NewNotification {
  userId: number;
  kind: string;
  title: string;
  body: string | null;
  /** JSON text, or null. */
  data: string | null;
}

@Injectable()
export class NotificationRepository {
  constructor(@InjectRepository(Notification) private readonly notifications: Repository<Notification>) {}

  async insert(input: NewNotification): Promise<Notification> {
    const row = this.notifications.create({ ...input, createdAt: new Date() });
    // insert(), not save(): one statement, no implicit transaction, and the generated id lands on `row`.
    await this.notifications.insert(row);
    return row;
  }

  /** The user's notifications with id > afterId, oldest first, at most `limit`. */
  findAfter(userId: number, afterId: number, limit: number): Promise<Notification[]> {
    return this.notifications.find({ where: { userId, id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit });
  }

  /** The NEWEST `limit` notifications with id > afterId (newest first), for the replay on `auth`. */
  findNewestAfter(userId: number, afterId: number, limit: number): Promise<Notification[]> {
    return this.notifications.find({ where: { userId, id: MoreThan(afterId) }, order: { id: 'DESC' }, take: limit });
  }
}
