import type { Id } from '@gavel/contracts';
import { compareIds } from './ids.js';
import { Observable } from './observable.js';

export interface ClientNotification {
  id: Id;
  kind: string;
  title: string;
  body: string | null;
  data: unknown;
  ts: string;
  read: boolean;
}

interface Saved {
  lastSeenId: Id | null;
  items: readonly ClientNotification[];
}

export interface KeyValueStorage {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
}

const KEEP = 50;

/**
 * One user's notifications on this device: the newest 50 for the list, the unread count, and
 * `lastSeenId` — the `since` sent on every (re-)auth so the API replays whatever was missed.
 * Persisted per user, so a reload or a second account on the same browser loses nothing.
 */
export class NotificationStore {
  readonly items = new Observable<readonly ClientNotification[]>([]);
  private lastSeen: Id | null;
  private readonly key: string;
  /** Unread notifications the server counts that are older than the kept list (or never loaded here). */
  private olderUnread = 0;
  /** Replayed notifications still to come after the last auth.ok, and how many of the first of them are read. */
  private replayLeft = 0;
  private replayReadLeft = 0;

  constructor(
    private readonly storage: KeyValueStorage,
    userId: Id,
  ) {
    this.key = `gavel.notifications.${String(userId)}`;
    const saved = storage.get<Saved>(this.key);
    this.lastSeen = saved?.lastSeenId ?? null;
    this.items.set(Array.isArray(saved?.items) ? saved.items.slice(0, KEEP) : []);
  }

  /** The id to send as `since`; null until the device knows where the user's history ends. */
  get lastSeenId(): Id | null {
    return this.lastSeen;
  }

  /** Whether this device already has a baseline (else the history is fetched once over REST first). */
  get hasBaseline(): boolean {
    return this.lastSeen !== null;
  }

  get unreadCount(): number {
    return this.olderUnread + this.items.value.filter((n) => !n.read).length;
  }

  /**
   * A new connection's `auth.ok`: the server's `unread` count is the truth, `replayed` notifications follow.
   * Reads are "everything up to an id", so the unread ones are always the newest: of the `unread`, the
   * replayed come first (newest), then the newest kept here; anything older is read (a notification read
   * only here, by following its link, counts as unread again: the server never heard of it). The first
   * `replayed - unread` replays (oldest first) were already read on another device.
   */
  applyAuth(unread: number, replayed: number): void {
    const unreadHere = Math.max(0, unread - replayed);
    this.replayLeft = replayed;
    this.replayReadLeft = Math.max(0, replayed - unread);
    const items = this.items.value; // newest first
    this.olderUnread = Math.max(0, unreadHere - items.length);
    this.items.set(items.map((n, i) => (n.read === i >= unreadHere ? n : { ...n, read: i >= unreadHere })));
    this.save();
  }

  /** Adds one notification unless it is already known; returns whether it was new. */
  add(notification: Omit<ClientNotification, 'read'>, read = false): boolean {
    if (this.replayLeft > 0) {
      this.replayLeft--;
      if (this.replayReadLeft > 0) {
        this.replayReadLeft--;
        read = true;
      }
    }
    const added = this.merge([{ ...notification, read }]);
    return added > 0;
  }

  /** `notification.read {upTo}` (from any device): every notification with an id up to `upTo` is read. */
  markReadUpTo(upTo: Id): void {
    const items = this.items.value;
    const oldest = items[items.length - 1];
    if (!oldest || compareIds(upTo, oldest.id) >= 0) this.olderUnread = 0;
    this.items.set(items.map((n) => (!n.read && compareIds(n.id, upTo) <= 0 ? { ...n, read: true } : n)));
    this.save();
  }

  /** The newest notification shown (what "read up to here" sends), or null when the list is empty. */
  get newestId(): Id | null {
    return this.items.value[0]?.id ?? null;
  }

  /** Adds many (REST history, replays), skipping duplicates; returns how many were new. */
  merge(incoming: ClientNotification[]): number {
    const byId = new Map(this.items.value.map((n) => [String(n.id), n]));
    let added = 0;
    for (const n of incoming) {
      if (byId.has(String(n.id))) continue;
      byId.set(String(n.id), n);
      added++;
      if (this.lastSeen === null || compareIds(n.id, this.lastSeen) > 0) this.lastSeen = n.id;
    }
    if (added > 0) {
      this.items.set([...byId.values()].sort((a, b) => compareIds(b.id, a.id)).slice(0, KEEP));
      this.save();
    }
    return added;
  }

  /** Marks the point where this device's history starts (an empty history starts at 0: replay everything after). */
  setBaseline(id: Id | null): void {
    if (id === null) id = 0;
    if (this.lastSeen === null || compareIds(id, this.lastSeen) > 0) this.lastSeen = id;
    this.save();
  }

  markAllRead(): void {
    if (this.unreadCount === 0) return;
    this.olderUnread = 0;
    this.items.set(this.items.value.map((n) => (n.read ? n : { ...n, read: true })));
    this.save();
  }

  markRead(id: Id): void {
    this.items.set(this.items.value.map((n) => (String(n.id) === String(id) ? { ...n, read: true } : n)));
    this.save();
  }

  /** Drops the stored messages (sign-out on a shared device) but keeps `lastSeenId`, so nothing is replayed twice. */
  forgetContent(): void {
    this.items.set([]);
    this.save();
  }

  private save(): void {
    this.storage.set(this.key, { lastSeenId: this.lastSeen, items: this.items.value } satisfies Saved);
  }
}
