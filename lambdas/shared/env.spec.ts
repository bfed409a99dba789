import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireEnv } from './env.js';

afterEach(() => vi.unstubAllEnvs());

describe(requireEnv.name, () => {
  it('returns the values', () => {
    vi.stubEnv('GAVEL_A', 'a');
    vi.stubEnv('GAVEL_B', 'b');
    expect(requireEnv('GAVEL_A', 'GAVEL_B')).toEqual({ GAVEL_A: 'a', GAVEL_B: 'b' });
  });

  it('names every missing or empty variable', () => {
    vi.stubEnv('GAVEL_A', '');
    expect(() => requireEnv('GAVEL_A', 'GAVEL_MISSING_X')).toThrow('Missing environment variable GAVEL_A, GAVEL_MISSING_X');
  });
});
