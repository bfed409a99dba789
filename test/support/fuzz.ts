/**
 * Generators for hostile input: WebSocket frames, JSON request bodies and strings that tend to break
 * parsers, validators and SQL. Everything is driven by a seeded PRNG, so a failing case can be
 * replayed exactly: tests print the seed and `RELIABILITY_SEED=<seed>` reproduces the run.
 */

/** mulberry32: tiny, fast and good enough to spread test cases; NOT for anything secret. */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bool(probability = 0.5): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  bytes(length: number): Buffer {
    const buffer = Buffer.alloc(length);
    for (let i = 0; i < length; i++) buffer[i] = Math.floor(this.next() * 256);
    return buffer;
  }
}

/** The seed of this run: `RELIABILITY_SEED`, or one derived from the clock (printed by the tests). */
export function runSeed(): number {
  const given = process.env.RELIABILITY_SEED;
  if (given && /^\d+$/.test(given)) return Number(given) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

/** `RELIABILITY_SCALE` (default 1): multiplies counts so CI stays inside its time budget and a soak can go further. */
export function reliabilityScale(): number {
  const value = Number(process.env.RELIABILITY_SCALE ?? '1');
  return Number.isFinite(value) && value > 0 ? value : 1;
}

export function scaled(base: number, minimum = 1): number {
  return Math.max(minimum, Math.round(base * reliabilityScale()));
}

/** Strings that have broken SQL built by concatenation, LIKE patterns, collations and loggers. Stored verbatim or refused — never executed. */
export const SQL_INJECTION_STRINGS: readonly string[] = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1; DELETE FROM socket_connections WHERE 1=1 --',
  "admin'--",
  "' UNION SELECT password_hash, email FROM users --",
  "Robert'); DROP TABLE bids;--",
  '%_%\\',
  "\\'; SELECT SLEEP(5); --",
  "' AND 1=(SELECT COUNT(*) FROM sqlite_master) --",
  '`users`',
  '0x27 OR 0x31=0x31',
  '/* comment */ SELECT 1',
  "'||(SELECT load_extension('x'))||'",
  'Ünïcødé 💥 \u202e',
];

/** False for strings with a lone UTF-16 surrogate (valid in JS and JSON, not in UTF-8 or a URL). */
export function isWellFormedUnicode(value: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

/** Strings that stress everything else: control characters, lone surrogates, huge lengths, format strings. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\u0000abc',
  '\ud800',
  '\udfff\ud800',
  '%s%s%s%n',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '\r\nSet-Cookie: x=1',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '9'.repeat(400),
  'a'.repeat(5000),
  '__proto__',
  'constructor',
  ...SQL_INJECTION_STRINGS,
];

const ENORMOUS_NUMBER_TEXTS = [
  '1e308',
  '1e309',
  '-1e309',
  '123456789012345678901234567890',
  '9007199254740993',
  '-0',
  '0.000000000000000000000000000001',
  '4.9e-324',
  '18446744073709551616',
];

/** A JSON value of a random (often wrong) type, a few levels deep. */
export function randomJsonValue(rng: Rng, depth = 2): unknown {
  const kind = rng.int(0, depth > 0 ? 9 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.bool();
    case 2:
      return rng.pick([0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_VALUE, 2 ** 63, 1e21, rng.int(-1e6, 1e6)]);
    case 3:
    case 4:
      return rng.pick(NASTY_STRINGS);
    case 5:
      return String(rng.int(0, 1_000_000));
    case 6:
      return rng.pick(['alice@gavel.test', 'x@y', 'not-an-email', 'gavel-demo']);
    case 7:
      return Array.from({ length: rng.int(0, 3) }, () => randomJsonValue(rng, depth - 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(0, 3); i > 0; i--)
        object[rng.pick(['a', 'action', 'token', '__proto__', 'constructor', 'prototype', 'toString'])] =
          randomJsonValue(rng, depth - 1);
      return object;
    }
  }
}

/** Nested JSON arrays or objects, `depth` levels deep, as text (building it as a value would overflow stringify). */
export function deepJsonText(depth: number, kind: 'array' | 'object' = 'array', inner = '0'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
}

/** Invalid UTF-8 byte sequences: a stray continuation byte, an overlong encoding, a lone surrogate, truncation. */
export const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0x80]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xff, 0xfe, 0xfd]),
];

export type FrameOutcome =
  /** The connection must stay open and answer exactly one frame. */
  | 'answered'
  /** RFC 6455 / AWS close the connection (invalid UTF-8 in a text frame: 1007; over the frame or message limit: 1009). */
  | 'closes';

export interface FuzzFrame {
  /** Category, for the report ("deep-json", "proto-keys", …). */
  category: string;
  data: Buffer;
  binary: boolean;
  /** Split the message into frames of this many bytes (continuation frames); undefined: one frame. */
  fragmentBytes?: number;
  expect: FrameOutcome;
  /** The close code expected when `expect` is `closes`. */
  closeCode?: number;
}

export interface FrameLimits {
  maxFrameBytes: number;
  maxMessageBytes: number;
}

const text = (category: string, body: string, extra: Partial<FuzzFrame> = {}): FuzzFrame => ({
  category,
  data: Buffer.from(body, 'utf8'),
  binary: false,
  expect: 'answered',
  ...extra,
});

/**
 * One hostile frame. Every category except the ones marked `closes` must get exactly one answer frame
 * (`error`, `auth.error` or `pong`) and leave the connection usable. Tokens are never valid here, so
 * an `auth` frame is always refused with `auth.error`.
 */
export function hostileFrame(rng: Rng, limits: FrameLimits): FuzzFrame {
  const category = rng.int(0, 15);
  switch (category) {
    case 0: {
      // Invalid UTF-8 in a TEXT frame: the WebSocket protocol closes with 1007.
      const body = Buffer.concat([Buffer.from('{"action":"'), rng.pick(INVALID_UTF8), Buffer.from('"}')]);
      return { category: 'invalid-utf8', data: body, binary: false, expect: 'closes', closeCode: 1007 };
    }
    case 1:
      // API Gateway rejects binary frames from clients and disconnects them with 1003 (AWS docs, "Binary media types for WebSocket APIs").
      return { category: 'binary', data: rng.bytes(rng.int(0, 2048)), binary: true, expect: 'closes', closeCode: 1003 };
    case 2:
      // Binary frames that happen to be valid JSON: still binary, so closed with 1003, never routed on their content.
      return {
        category: 'binary-json',
        data: Buffer.from(JSON.stringify({ action: rng.pick(['ping', 'auth']), token: 'x' })),
        binary: true,
        expect: 'closes',
        closeCode: 1003,
      };
    case 3: {
      const depth = rng.int(100, Math.floor((limits.maxFrameBytes - 64) / 2));
      return text(
        'deep-json',
        rng.bool() ? `{"action":"ping","x":${deepJsonText(depth)}}` : deepJsonText(depth, 'array'),
      );
    }
    case 4: {
      const depth = rng.int(50, Math.floor((limits.maxFrameBytes - 64) / 6));
      return text('deep-json-object', `{"action":"auth","token":"t","since":${deepJsonText(depth, 'object')}}`);
    }
    case 5: {
      // A big message in continuation frames, each under the frame limit, the whole under the message limit.
      const size = rng.int(limits.maxFrameBytes, limits.maxMessageBytes - 1024);
      const body = `{"action":"${rng.pick(['ping', 'auth', 'bid'])}","pad":"${'x'.repeat(size)}"}`;
      return text('huge-json-fragmented', body, { fragmentBytes: rng.int(4096, limits.maxFrameBytes - 1) });
    }
    case 6: {
      const body = `{"action":"ping","pad":"${'y'.repeat(limits.maxFrameBytes + rng.int(1, 4096))}"}`;
      return text('over-frame-limit', body, { expect: 'closes', closeCode: 1009 });
    }
    case 7: {
      const body = `{"action":"ping","pad":"${'z'.repeat(limits.maxMessageBytes + rng.int(1, 4096))}"}`;
      return text('over-message-limit', body, {
        fragmentBytes: limits.maxFrameBytes - 1,
        expect: 'closes',
        closeCode: 1009,
      });
    }
    case 8: {
      const action = rng.pick([
        123,
        -1,
        1.5,
        true,
        false,
        null,
        [],
        ['auth'],
        { auth: 1 },
        '',
        ' auth',
        'AUTH',
        'auth\u0000',
        '$default',
        '$connect',
        '$disconnect',
      ]);
      return text('wrong-action-type', JSON.stringify({ action, token: 'abc' }));
    }
    case 9: {
      const token = rng.pick<unknown>([
        123,
        null,
        true,
        [],
        {},
        '',
        'a'.repeat(9000),
        'a.b.c',
        '\u0000',
        { alg: 'none' },
      ]);
      return text('wrong-token-type', JSON.stringify({ action: 'auth', token }));
    }
    case 10: {
      const since = rng.pick(ENORMOUS_NUMBER_TEXTS);
      return text(
        'enormous-number',
        `{"action":"${rng.pick(['auth', 'ping'])}","token":"t","since":${since},"n":${rng.pick(ENORMOUS_NUMBER_TEXTS)}}`,
      );
    }
    case 11: {
      const body = rng.pick([
        '{"__proto__":{"action":"auth","polluted":true},"token":"t"}',
        '{"action":"ping","__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{"polluted":true}},"action":"auth","token":"t"}',
        '{"action":"auth","token":"t","__proto__":{"since":"1"},"constructor":{"name":"x"}}',
        '{"action":"__proto__"}',
        '{"action":"constructor"}',
        '{"action":"toString"}',
        '{"action":"hasOwnProperty"}',
      ]);
      return text('proto-keys', body);
    }
    case 12:
      return text(
        'missing-action',
        JSON.stringify(rng.bool() ? { token: 'abc', since: 1 } : randomJsonValue(rng, 2)) ?? 'null',
      );
    case 13:
      return text(
        'not-json',
        rng.pick([
          '',
          ' ',
          'ping',
          '{',
          '{"action":',
          '{"action":"auth"',
          'null',
          '[]',
          '"auth"',
          '1e309',
          '\u0000',
          '{}{}',
          "{'action':'ping'}",
          rng.pick(NASTY_STRINGS),
        ]),
      );
    case 14: {
      const value: Record<string, unknown> = { action: 'auth', token: rng.pick(NASTY_STRINGS) || 'x' };
      value[rng.pick(['since', 'extra', 'token2'])] = randomJsonValue(rng, 3);
      return text('random-auth', JSON.stringify(value));
    }
    default: {
      // Duplicate keys: JSON.parse keeps the last one; the route selector and the Lambda must agree.
      return text(
        'duplicate-keys',
        rng.pick([
          '{"action":"auth","action":"ping"}',
          '{"action":"ping","action":"auth","token":"t"}',
          '{"action":"ping","action":7}',
        ]),
      );
    }
  }
}

/** A mutated version of a valid request body: wrong types, missing fields, extra fields, nasty values. */
export function mutateBody(valid: Record<string, unknown>, rng: Rng): unknown {
  const mutation = rng.int(0, 9);
  const copy: Record<string, unknown> = { ...valid };
  const keys = Object.keys(valid);
  switch (mutation) {
    case 0:
      return randomJsonValue(rng, 3);
    case 1:
      delete copy[rng.pick(keys)];
      return copy;
    case 2:
      copy[rng.pick(keys)] = randomJsonValue(rng, 2);
      return copy;
    case 3:
      copy[rng.pick(['isAdmin', 'role', 'roles', 'id', 'userId', '__proto__', 'constructor', 'passwordHash'])] =
        rng.pick<unknown>(['admin', ['admin'], 1, true, { polluted: true }]);
      return copy;
    case 4:
      for (const key of keys) copy[key] = randomJsonValue(rng, 1);
      return copy;
    case 5:
      copy[rng.pick(keys)] = rng.pick(NASTY_STRINGS);
      return copy;
    case 6:
      return [copy];
    case 7:
      copy[rng.pick(keys)] = rng.pick([Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 64, -(2 ** 63), 0.5, -0]);
      return copy;
    case 8:
      return JSON.parse(`{"__proto__":{"isAdmin":true,"role":"admin"},${JSON.stringify(copy).slice(1)}`) as unknown;
    default:
      copy[rng.pick(keys)] = 'x'.repeat(rng.int(1000, 60_000));
      return copy;
  }
}

/** Raw request bodies that are not valid JSON at all (sent with content-type: application/json). */
export const MALFORMED_JSON_BODIES: readonly string[] = [
  '{',
  '{"a":',
  '[1,2',
  "{'a':1}",
  'undefined',
  '{"a":1}}',
  '\u0000',
  'NaN',
  '{"a":01}',
  '{"a":"\\x41"}',
  '\ud800',
];
