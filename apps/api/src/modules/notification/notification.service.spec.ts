import { describe, expect, it, jest } from '@jest/globals';
import type { Answer, IdempotencyService, IdempotentCall } from '../idempotency/idempotency.service.js';
import type { NotificationDeliveryService } from './notification-delivery.service.js';
import type { Notification } from './notification.entity.js';
import type { NewNotification, NotificationRepository } from './notification.repository.js';
import type { PushService } from '../push/push.service.js';
import { NotificationService } from './notification.service.js';

/** Storage and idempotency only: delivery is replaced whole, and reaches nobody. */
function newService() {
  const stored: NewNotification[] = [];
  const notifications = {
    insert: jest.fn(
      async (input: NewNotification) =>
        (stored.push(input), { ...input, id: stored.length, createdAt: new Date() }) as Notification,
    ),
  };
  const delivery = {
    refuseUndeliverable: jest.fn(),
    publish: jest.fn(async (_userId: number, store: () => Promise<Notification>) => ({
      notification: await store(),
      delivery: Promise.resolve({ deliveredTo: 0, staleRemoved: 0, failed: 0 }),
    })),
  };
  const answers = new Map<string, Answer<unknown>>();
  const calls: IdempotentCall[] = [];
  // Remembers the first answer per (scope, key), as the real service does.
  const idempotency = {
    execute: jest.fn(async (call: IdempotentCall, work: () => Promise<Answer<unknown>>) => {
      calls.push(call);
      const id = `${call.scope}|${call.key}`;
      if (call.key !== undefined && answers.has(id)) return answers.get(id)!;
      const answer = await work();
      if (call.key !== undefined) answers.set(id, answer);
      return answer;
    }),
  };
  const service = new NotificationService(
    notifications as unknown as NotificationRepository,
    delivery as unknown as NotificationDeliveryService,
    idempotency as unknown as IdempotencyService,
    {} as PushService,
  );
  return { service, stored, calls, delivery };
}

describe(NotificationService.name, () => {
  it('POST /notifications is idempotent in the service: one key, one stored notification, the first answer again', async () => {
    const { service, stored, calls } = newService();
    const dto = { userId: '7', kind: 'order.shipped', title: 'Shipped', data: { orderId: 42 } };
    const first = await service.create('service', dto, 'key-1');
    expect(await service.create('service', dto, 'key-1')).toEqual(first);
    expect(first).toEqual({ id: 1, deliveredTo: 0, staleRemoved: 0 });
    expect(stored).toEqual([
      { userId: 7, kind: 'order.shipped', title: 'Shipped', body: null, data: '{"orderId":42}' },
    ]);
    expect(calls[0]).toEqual({
      scope: 'service:POST /notifications',
      key: 'key-1',
      request: { userId: 7, kind: 'order.shipped', title: 'Shipped', body: undefined, data: { orderId: 42 } },
    });
  });

  it('scopes keys by caller: the same key from an admin is another request', async () => {
    const { service, stored, calls } = newService();
    await service.create('service', { userId: 7, kind: 'k', title: 'T' }, 'same');
    await service.create('user:3', { userId: 7, kind: 'k', title: 'T' }, 'same');
    expect(stored).toHaveLength(2);
    expect(calls.map((c) => c.scope)).toEqual(['service:POST /notifications', 'user:3:POST /notifications']);
  });

  it('checks that the event can be delivered before storing it', async () => {
    const { service, stored, delivery } = newService();
    delivery.refuseUndeliverable.mockImplementationOnce(() => {
      throw new Error('too large');
    });
    await expect(service.send({ userId: 7, kind: 'big', title: 'Big' })).rejects.toThrow('too large');
    expect(stored).toEqual([]);
  });
});
