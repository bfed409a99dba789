/**
 * A login flood behind a load balancer (TRUST_PROXY=1): 300 concurrent logins for random e-mails from one
 * forwarded client, then a real login from another client and `GET /` (a static file, read through the
 * libuv threadpool that argon2 also uses). Password hashing is bounded and queued fairly per client, so
 * both answer while most of the flood is still waiting. Order is asserted, times are only recorded.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { databaseKinds } from '../support/databases.js';
import { ensureBuilt } from '../support/stack.js';
import { type InProcessApi, startInProcessApi } from './support/in-process-api.js';

const FLOOD = 300;
const ATTACKER = '198.51.100.66';
const figures: string[] = [];

interface Done {
  who: 'flood' | 'login' | 'page';
  status: number;
  retryAfter: string | null;
  ms: number;
}

describe.each(databaseKinds())('login flood (%s)', (kind) => {
  let api: InProcessApi;

  beforeAll(async () => {
    await ensureBuilt(); // GET / serves dist/web/index.html
    api = await startInProcessApi(kind, { env: { TRUST_PROXY: '1' } });
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    // The measured figures (docs/reliability.md quotes them), printed once the log capture has stopped.
    if (figures.length > 0) process.stdout.write(`${figures.splice(0).join('\n')}\n`);
  }, 120_000);

  it('leaves a real login and GET / answering ahead of most of 300 concurrent logins for random e-mails', async () => {
    const done: Done[] = [];
    const started = performance.now();
    const request = async (who: Done['who'], path: string, forwardedFor: string, body?: unknown) => {
      const t0 = performance.now();
      const response = await fetch(`${api.baseUrl}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { 'x-forwarded-for': forwardedFor, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      done.push({
        who,
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        ms: performance.now() - t0,
      });
      return { status: response.status, text };
    };

    let received = 0;
    api.app.getHttpServer().on('request', () => (received += 1));
    const flood = [...Array(FLOOD)].map(() =>
      request('flood', '/auth/login', ATTACKER, {
        email: `nobody-${randomBytes(6).toString('hex')}@example.com`,
        password: 'guess-password',
      }),
    );
    // The whole flood is inside the API, and one more flood answer came back after that, so every flood
    // login is answered, hashing, or queued for a hash (before the fix: queued in libuv's threadpool).
    while (received < FLOOD) await sleep(5);
    const answeredWhenReceived = done.length;
    while (done.length === answeredWhenReceived && done.length < FLOOD) await sleep(5);
    const sentAt = done.length;
    const pendingAtSend = FLOOD - sentAt;
    const [realLogin, page] = await Promise.all([
      request('login', '/auth/login', '203.0.113.5', { email: 'alice@gavel.test', password: 'gavel-demo' }),
      request('page', '/', '203.0.113.6'),
    ]);
    await Promise.all(flood);
    const total = performance.now() - started;

    const floodAnswers = done.filter((d) => d.who === 'flood');
    const hashed = floodAnswers.filter((d) => d.status === 401);
    const shed = floodAnswers.filter((d) => d.status === 503);
    const floodAnsweredBefore = (who: Done['who']) =>
      done
        .slice(
          sentAt,
          done.findIndex((d) => d.who === who),
        )
        .filter((d) => d.who === 'flood').length;
    // Recorded before asserting, so a failing run reports its figures too.
    const at = (who: Done['who']) => done.find((d) => d.who === who)!;
    figures.push(
      `login flood (${kind}): ${FLOOD} logins → ${hashed.length} × 401 (hashed), ${shed.length} × 503 (shed); ` +
        `${pendingAtSend} pending when the real requests were sent; real login ${at('login').ms.toFixed(0)} ms, ` +
        `after ${floodAnsweredBefore('login')} of them; GET / ${at('page').ms.toFixed(0)} ms, after ${floodAnsweredBefore('page')}; ` +
        `the flood took ${total.toFixed(0)} ms in all, median 401 ${median(hashed.map((d) => d.ms)).toFixed(0)} ms`,
    );

    expect(realLogin.status).toBe(200);
    expect(JSON.parse(realLogin.text)).toMatchObject({ tokenType: 'Bearer' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');

    // Every flood login either cost a hash (401, like any wrong password) or was refused with Retry-After.
    expect(hashed.length + shed.length).toBe(FLOOD);
    for (const answer of shed) expect(answer.retryAfter).toBe('1');

    // ORDER: each overtook most of the flood still pending when it was sent (before the fix: it waited for
    // ~all of it: argon2 and fs share the threadpool's one FIFO queue).
    expect(pendingAtSend).toBeGreaterThan(0);
    expect(floodAnsweredBefore('login')).toBeLessThan(pendingAtSend / 2);
    expect(floodAnsweredBefore('page')).toBeLessThan(pendingAtSend / 2);

    // The request log names the forwarded client, not the balancer.
    expect(api.logs.text()).toContain(`"ip":"${ATTACKER}"`);
  }, 180_000);
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
