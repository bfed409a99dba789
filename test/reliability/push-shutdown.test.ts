/**
 * Shutting the API down (Nest's app.close(), what SIGTERM runs) while pushes are in flight must not
 * deliver any frame twice. Deterministic companion of the "API restarted" fault test, which sees the
 * same duplicate only when SIGTERM happens to land during a push.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { http, login } from './support/http.js';
import { type InProcessStack, startInProcessStack } from './support/in-process-stack.js';
import { LiveClient } from './support/live-client.js';

const CONNECTIONS = 20;
const IN_FLIGHT = 30;

describe.each(databaseKinds())('API shutdown during pushes (%s)', (kind) => {
  let stack: InProcessStack;
  let clients: LiveClient[];

  beforeAll(async () => {
    stack = await startInProcessStack(kind);
    const token = await login(stack.api.baseUrl, 'alice@gavel.test', 'gavel-demo');
    clients = Array.from({ length: CONNECTIONS }, () => new LiveClient(stack.gateway.url, token));
    await Promise.all(clients.map((client) => client.connect()));
  }, 120_000);

  afterAll(async () => {
    for (const client of clients ?? []) client.close();
    await stack?.close();
  }, 120_000);

  it('delivers no notification twice when the API closes with pushes in flight', async () => {
    const token = await login(stack.api.baseUrl, 'alice@gavel.test', 'gavel-demo');
    const alice = (await http(stack.api.baseUrl, '/auth/me', { token })).body;
    const accepted: string[] = [];
    const inFlight = Array.from({ length: IN_FLIGHT }, async (_, n) => {
      try {
        const answer = await http(stack.api.baseUrl, '/notifications', {
          headers: { 'x-api-key': stack.api.secrets.SERVICE_API_KEY },
          body: { userId: alice.id, kind: 'shutdown', title: `n${n}` },
        });
        if (answer.status === 202) accepted.push(String(answer.body.id));
      } catch {
        // cut off by the shutdown: fine, as long as nothing arrives twice
      }
    });
    await sleep(5);
    // The same shutdown SIGTERM runs (enableShutdownHooks): the stack's close() later finds it closed.
    await stack.api.app.close();
    await Promise.all(inFlight);
    await sleep(2_000);
    const duplicates = clients.flatMap((client) =>
      client.duplicates().map((d) => `${d} on ${client.currentConnectionId}`),
    );
    expect(duplicates.slice(0, 10), `${duplicates.length} duplicate deliveries`).toEqual([]);
    // What was accepted before the shutdown still reached every connection.
    for (const client of clients)
      for (const id of accepted) expect(client.notifications.get(id), `notification ${id}`).toBe(1);
  }, 60_000);
});
