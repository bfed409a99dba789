/**
 * 10,000 generated hostile WebSocket frames (RELIABILITY_SCALE scales it) through the real gateway,
 * the real Lambdas and the real API: invalid UTF-8, binary, deep and huge JSON, wrong types,
 * `__proto__`/`constructor` keys, enormous numbers, missing or non-string `action`.
 * Every frame AWS would answer gets exactly one answer — `error`, `auth.error` (4xx) or `pong`, never
 * "Internal server error" — and the connection stays usable (a real auth and a ping afterwards);
 * frames AWS closes the connection for (1007 invalid UTF-8, 1009 too big) close it with that code.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { AWS_LIMITS } from '@gavel/contracts';
import { databaseKinds } from '../support/databases.js';
import { type FuzzFrame, hostileFrame, Rng, runSeed, scaled } from '../support/fuzz.js';
import { TestSocket } from '../support/ws-client.js';
import { login } from './support/http.js';
import { type InProcessStack, startInProcessStack } from './support/in-process-stack.js';
import { leakedSecrets } from './support/log-capture.js';

const SEED = runSeed();
const FRAMES = scaled(10_000, 200);
const WORKERS = 8;
const LIMITS = { maxFrameBytes: AWS_LIMITS.maxFrameBytes, maxMessageBytes: AWS_LIMITS.maxMessageBytes };

interface Tally {
  frames: number;
  answered: number;
  closedAsExpected: number;
  byCategory: Record<string, number>;
  answers: Record<string, number>;
}

function sendFrame(socket: TestSocket, frame: FuzzFrame): void {
  if (!frame.fragmentBytes) {
    socket.ws.send(frame.data, { binary: frame.binary });
    return;
  }
  // Continuation frames: each under the frame limit, reassembled by the gateway into one message.
  for (let offset = 0; offset < frame.data.length; offset += frame.fragmentBytes) {
    const chunk = frame.data.subarray(offset, offset + frame.fragmentBytes);
    socket.ws.send(chunk, { binary: frame.binary, fin: offset + frame.fragmentBytes >= frame.data.length });
  }
}

/**
 * What an answer to a hostile frame may be: `error`, `pong`, or `auth.error` with 400/401. Anything
 * else — above all AWS's "Internal server error", or a 5xx from our Lambda — is a violation.
 */
function classifyAnswer(text: string): { kind: string; violation?: string } {
  let answer: { type?: string; message?: string; data?: { message?: unknown; status?: unknown } };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    return { kind: 'not-json', violation: `answer is not JSON: ${text.slice(0, 200)}` };
  }
  if (answer.message !== undefined) return { kind: 'gateway-error', violation: `gateway-level error frame ${text}` };
  if (answer.type === 'pong') return { kind: 'pong' };
  if (answer.type === 'error')
    return typeof answer.data?.message === 'string'
      ? { kind: 'error' }
      : { kind: 'error', violation: `error without message: ${text}` };
  if (answer.type !== 'auth.error')
    return { kind: String(answer.type), violation: `unexpected answer ${text.slice(0, 200)}` };
  const status = answer.data?.status as number;
  const kind = `auth.error ${status}`;
  return status === 400 || status === 401
    ? { kind }
    : { kind, violation: `auth.error ${status} (expected 400 or 401): ${text}` };
}

describe.each(databaseKinds())('WebSocket frame fuzz (%s)', (kind) => {
  let stack: InProcessStack;
  let token: string;
  const tally: Tally = { frames: 0, answered: 0, closedAsExpected: 0, byCategory: {}, answers: {} };
  /** Every frame whose answer broke the rules, with what to replay it by; asserted empty at the end. */
  const violations: string[] = [];

  beforeAll(async () => {
    stack = await startInProcessStack(kind);
    token = await login(stack.api.baseUrl, 'alice@gavel.test', 'gavel-demo');
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    console.info(`[frame-fuzz ${kind}] seed ${SEED}: ${JSON.stringify({ ...tally, violations: violations.length })}`);
  }, 120_000);

  /** Proves a connection still works: a real auth (auth.ok pushed back through the management API), then a ping. */
  async function expectUsable(socket: TestSocket, where: string): Promise<void> {
    socket.send({ action: 'auth', token });
    const ok = await socket.nextJson<{ type: string; data: { connectionId: string } }>(10_000);
    expect(ok.type, `${where}: ${JSON.stringify(ok)}`).toBe('auth.ok');
    socket.send({ action: 'ping' });
    expect(await socket.nextJson(10_000), where).toEqual({ type: 'pong' });
  }

  async function worker(index: number, count: number): Promise<void> {
    const rng = new Rng((SEED + index * 7919) >>> 0);
    let socket = await TestSocket.open(stack.gateway.url);
    for (let n = 0; n < count; n++) {
      const frame = hostileFrame(rng, LIMITS);
      const where = `seed ${SEED} worker ${index} frame ${n} (${frame.category}, ${frame.data.length} bytes)`;
      tally.frames++;
      tally.byCategory[frame.category] = (tally.byCategory[frame.category] ?? 0) + 1;
      sendFrame(socket, frame);
      if (frame.expect === 'closes') {
        const closed = await Promise.race([socket.closed, sleep(10_000)]);
        expect(closed?.code, `${where}: expected close ${frame.closeCode}`).toBe(frame.closeCode);
        tally.closedAsExpected++;
        socket = await TestSocket.open(stack.gateway.url);
        continue;
      }
      const reply = await socket.nextFrame(15_000).catch((error: Error) => {
        throw new Error(`${where}: ${error.message}`);
      });
      const { kind: answerKind, violation } = classifyAnswer(reply.text);
      if (violation)
        violations.push(
          `${where} ${JSON.stringify(frame.data.subarray(0, 120).toString(frame.binary ? 'base64' : 'utf8'))}: ${violation}`,
        );
      tally.answered++;
      tally.answers[answerKind] = (tally.answers[answerKind] ?? 0) + 1;
    }
    await expectUsable(socket, `seed ${SEED} worker ${index} after its frames`);
    await socket.close();
  }

  it(`answers ${FRAMES} hostile frames without a crash or an internal error, and every connection stays usable`, async () => {
    const share = Math.ceil(FRAMES / WORKERS);
    await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i, Math.min(share, FRAMES - i * share))));
    expect(violations.slice(0, 10), `${violations.length} of ${FRAMES} frames got a wrong answer`).toEqual([]);
    expect(tally.frames).toBe(FRAMES);
    expect(tally.answered + tally.closedAsExpected).toBe(FRAMES);
    // The generator covered every category.
    expect(Object.keys(tally.byCategory).length).toBeGreaterThanOrEqual(14);
  }, 240_000);

  it('answers a VALID token with hostile `since` values and extra keys by auth.ok or auth.error 400, never an internal error', async () => {
    const sinceValues = [
      '1e308',
      '-1',
      '-0',
      '1.5',
      '9007199254740993',
      '123456789012345678901234567890',
      '"99999999999999999999"',
      '"abc"',
      '""',
      'null',
      'true',
      '[]',
      '{}',
      '"0"',
      '0',
      '"18446744073709551615"',
      '{"__proto__":{"polluted":1}}',
    ];
    const outcomes: Record<string, number> = {};
    for (const since of sinceValues) {
      for (const extra of [
        '',
        ',"__proto__":{"isAdmin":true}',
        ',"constructor":{"prototype":{"polluted":1}}',
        ',"action":"ping"',
      ]) {
        const socket = await TestSocket.open(stack.gateway.url);
        socket.ws.send(`{"action":"auth","token":"${token}","since":${since}${extra}}`);
        const answer = await socket.nextJson<{ type?: string; message?: string; data?: { status?: number } }>(15_000);
        const where = `since ${since}${extra}: ${JSON.stringify(answer)}`;
        expect(answer.message, where).toBeUndefined();
        if (answer.type === 'auth.error') expect(answer.data?.status, where).toBe(400);
        else if (extra.includes('"action":"ping"'))
          expect(answer.type, where).toBe('pong'); // the last "action" wins
        else expect(answer.type, where).toBe('auth.ok');
        const key = answer.type === 'auth.error' ? 'auth.error 400' : String(answer.type);
        outcomes[key] = (outcomes[key] ?? 0) + 1;
        socket.send({ action: 'ping' });
        // A replay may precede the pong: skip notifications.
        let next = await socket.nextJson<{ type: string }>(10_000);
        while (next.type === 'notification') next = await socket.nextJson<{ type: string }>(10_000);
        expect(next, where).toEqual({ type: 'pong' });
        await socket.close();
      }
    }
    expect(outcomes['auth.ok'] ?? 0).toBeGreaterThan(0);
    expect(outcomes['auth.error 400'] ?? 0).toBeGreaterThan(0);
  }, 120_000);

  it('left no prototype polluted in the gateway, the Lambdas or the API (same process)', () => {
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(probe.action).toBeUndefined();
    expect(probe.since).toBeUndefined();
  });

  it('still serves new connections, and the API stays healthy', async () => {
    const socket = await TestSocket.open(stack.gateway.url);
    await expectUsable(socket, 'fresh connection');
    await socket.close();
    const health = await fetch(`${stack.api.baseUrl}/health`);
    expect(health.status).toBe(200);
  });

  it('logged no secret and no unhandled error', () => {
    const log = stack.api.logs.text();
    expect(leakedSecrets(log, { ...stack.api.secrets, token })).toEqual([]);
    expect(log).not.toMatch(/Internal server error|UnhandledPromiseRejection|"level":"error"/);
  });
});
