import { describe, expect, it } from '@jest/globals';
import { type KeyValueStorage, NotificationStore } from './notification-store.js';

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: <T>(key: string) => (data.has(key) ? (JSON.parse(data.get(key)!) as T) : undefined),
    set: (key, value) => void data.set(key, JSON.stringify(value)),
  };
}

const n = (id: number | string, kind = 'outbid') => ({
  id,
  kind,
  title: `#${id}`,
  body: null,
  data: null,
  ts: '2026-01-01T00:00:00Z',
});

describe(NotificationStore.name, () => {
  it('keeps each notification once, newest first, and counts the unread', () => {
    const store = new NotificationStore(memoryStorage(), 1);
    expect(store.add(n(1))).toBe(true);
    expect(store.add(n('2'))).toBe(true);
    expect(store.add(n('1'))).toBe(false); // a replay of one already seen
    expect(store.items.value.map((x) => x.id)).toEqual(['2', 1]);
    expect(store.unreadCount).toBe(2);
    store.markAllRead();
    expect(store.unreadCount).toBe(0);
  });

  it('tracks the highest id seen as the since for the next auth, and persists it per user', () => {
    const storage = memoryStorage();
    const store = new NotificationStore(storage, 7);
    expect(store.hasBaseline).toBe(false);
    store.merge([
      { ...n(10), read: true },
      { ...n(9), read: true },
    ]);
    store.add(n(11));
    expect(store.lastSeenId).toBe(11);
    const reloaded = new NotificationStore(storage, 7);
    expect(reloaded.lastSeenId).toBe(11);
    expect(reloaded.unreadCount).toBe(1);
    expect(new NotificationStore(storage, 8).lastSeenId).toBeNull();
  });

  it('starts an empty history at 0 so the first missed notification is replayed', () => {
    const store = new NotificationStore(memoryStorage(), 1);
    store.setBaseline(null);
    expect(store.lastSeenId).toBe(0);
    expect(store.hasBaseline).toBe(true);
  });

  it('forgets the messages on sign-out but not where the replay starts', () => {
    const storage = memoryStorage();
    const store = new NotificationStore(storage, 3);
    store.add(n(5));
    store.forgetContent();
    const reloaded = new NotificationStore(storage, 3);
    expect(reloaded.items.value).toEqual([]);
    expect(reloaded.lastSeenId).toBe(5);
    expect(storage.data.get('gavel.notifications.3')).not.toContain('#5');
  });

  it('keeps only the newest 50', () => {
    const store = new NotificationStore(memoryStorage(), 1);
    store.merge(Array.from({ length: 60 }, (_, i) => ({ ...n(i + 1), read: false })));
    expect(store.items.value).toHaveLength(50);
    expect(store.items.value[0]!.id).toBe(60);
    expect(store.lastSeenId).toBe(60);
  });

  it('markReadUpTo reads every notification up to an id, comparing numeric ids as numbers', () => {
    const store = new NotificationStore(memoryStorage(), 1);
    for (const id of [9, '10', 11, '100']) store.add(n(id));
    store.markReadUpTo('11'); // as text "11" < "9"; as numbers 9, 10, 11 ≤ 11 < 100
    expect(store.items.value.map((x) => [x.id, x.read])).toEqual([
      ['100', false],
      [11, true],
      ['10', true],
      [9, true],
    ]);
    expect(store.unreadCount).toBe(1);
    expect(store.newestId).toBe('100');
  });

  it("auth.ok's unread count is the truth: the newest are unread, older unread beyond the list are counted", () => {
    const store = new NotificationStore(memoryStorage(), 1);
    store.merge([1, 2, 3].map((id) => ({ ...n(id), read: false })));
    store.applyAuth(1, 0); // two were read on another device while this one was away
    expect(store.items.value.map((x) => [x.id, x.read])).toEqual([
      [3, false],
      [2, true],
      [1, true],
    ]);
    store.applyAuth(5, 0); // unread older than the kept list
    expect(store.unreadCount).toBe(5);
    store.markReadUpTo(3);
    expect(store.unreadCount).toBe(0);
  });

  it('counts replayed notifications once, and the oldest replays as read when the server says fewer are unread', () => {
    const store = new NotificationStore(memoryStorage(), 1);
    store.merge([{ ...n(1), read: false }]);
    store.applyAuth(2, 3); // 3 replays follow, only 2 unread in all: the first replay was read elsewhere
    expect(store.unreadCount).toBe(0);
    for (const id of [2, 3, 4]) store.add(n(id));
    expect(store.items.value.map((x) => [x.id, x.read])).toEqual([
      [4, false],
      [3, false],
      [2, true],
      [1, true],
    ]);
    expect(store.unreadCount).toBe(2);
    store.add(n(5)); // live, after the replay
    expect(store.unreadCount).toBe(3);
  });
});
