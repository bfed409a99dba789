import { afterEach, describe, expect, it } from '@jest/globals';
import { requireEnv } from './env.js';

/** Sets a variable for one test; afterEach puts the previous value back. */
const previous = new Map<string, string | undefined>();
function stubEnv(name: string, value: string): void {
  if (!previous.has(name)) previous.set(name, process.env[name]);
  process.env[name] = value;
}
afterEach(() => {
  for (const [name, value] of previous) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  previous.clear();
});

describe(requireEnv.name, () => {
  it('returns the values', () => {
    stubEnv('GAVEL_A', 'a');
    stubEnv('GAVEL_B', 'b');
    expect(requireEnv('GAVEL_A', 'GAVEL_B')).toEqual({ GAVEL_A: 'a', GAVEL_B: 'b' });
  });

  it('names every missing or empty variable', () => {
    stubEnv('GAVEL_A', '');
    expect(() => requireEnv('GAVEL_A', 'GAVEL_MISSING_X')).toThrow(
      'Missing environment variable GAVEL_A, GAVEL_MISSING_X',
    );
  });
});
