/** GET /admin/connections: admin only, cursor pages that cover every row once, userId filter, total. */
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { type ApiHarness, call, newAdmin, newUser, startApi, TEST_SECRETS } from './api-harness.js';

describe.each(databaseKinds())('admin connections API (%s)', (kind) => {
  let api: ApiHarness;
  let admin: { token: string };
  let alice: { id: number; email: string; token: string };
  let bob: { id: number; email: string; token: string };
  const ids: string[] = [];

  beforeAll(async () => {
    api = await startApi(kind);
    admin = await newAdmin(api);
    alice = await newUser(api.baseUrl, 'Alice');
    bob = await newUser(api.baseUrl, 'Bob');
    // 7 rows: 4 of Alice's, 3 of Bob's, interleaved.
    for (let i = 0; i < 7; i++) {
      const owner = i % 2 === 0 ? alice : bob;
      const id = `Adm${i}Conn${kind.slice(0, 3)}xyz=`;
      const answer = await call(api.baseUrl, 'POST', '/socket-connections', {
        token: owner.token,
        body: { connectionId: id, sourceIp: `10.0.0.${i}`, userAgent: `agent ${i}` },
        headers: { 'x-api-key': TEST_SECRETS.GATEWAY_API_KEY },
      });
      expect(answer.status).toBe(201);
      ids.push(id);
    }
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  }, 120_000);

  const list = (query: string, token = admin.token) =>
    call(api.baseUrl, 'GET', `/admin/connections${query}`, { token });

  it('answers 403 to a non-admin and 401 without a token', async () => {
    const answer = await list('', alice.token);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect((await call(api.baseUrl, 'GET', '/admin/connections')).status).toBe(401);
  });

  it('pages of 2 over 7 rows return every row exactly once, in order, with the total', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer = await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(answer.status).toBe(200);
      expect(answer.body.total).toBe(7);
      expect(answer.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...answer.body.items.map((item: { connectionId: string }) => item.connectionId));
      cursor = answer.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual(ids);
  });

  it('returns the documented item shape with the owner’s email', async () => {
    const answer = await list('?limit=1');
    expect(answer.body.items[0]).toEqual({
      connectionId: ids[0],
      userId: alice.id,
      email: alice.email,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastSeenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      sourceIp: '10.0.0.0',
      userAgent: 'agent 0',
    });
    expect(typeof answer.body.nextCursor).toBe('string');
  });

  it('filters by userId, with that user’s total', async () => {
    const bobs = await list(`?userId=${bob.id}&limit=2`);
    expect(bobs.body.total).toBe(3);
    const second = await list(`?userId=${bob.id}&limit=2&cursor=${encodeURIComponent(bobs.body.nextCursor)}`);
    expect([...bobs.body.items, ...second.body.items].map((i: { connectionId: string }) => i.connectionId)).toEqual([
      ids[1],
      ids[3],
      ids[5],
    ]);
    expect(second.body.nextCursor).toBeNull();
    const nobody = await list('?userId=999999');
    expect(nobody.body).toEqual({ items: [], nextCursor: null, total: 0 });
  });

  it('answers 400 for a bad limit, userId or cursor', async () => {
    for (const query of ['?limit=0', '?limit=501', '?limit=abc', '?userId=x', '?cursor=bm9wZQ', '?foo=1']) {
      const answer = await list(query);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error).toBe('Bad Request');
    }
  });
});
