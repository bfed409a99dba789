import { describe, expect, it } from '@jest/globals';
import { RouteSelector, type GatewayRoute } from './route-selector.js';

const route = (routeKey: string): GatewayRoute => ({ routeKey, twoWay: true, handler: async () => undefined });
const keyOf = (selected: GatewayRoute | undefined) => selected?.routeKey;

describe(RouteSelector.name, () => {
  const selector = new RouteSelector([
    route('$connect'),
    route('auth'),
    route('42'),
    route('$disconnect'),
    route('$default'),
  ]);

  it('routes on $request.body.action', () => {
    expect(keyOf(selector.select('{"action":"auth","token":"x"}'))).toBe('auth');
    expect(keyOf(selector.select('  {"action":"auth"}'))).toBe('auth');
    expect(keyOf(selector.select('{"action":42}'))).toBe('42');
  });

  it('falls back to $default for other actions, non-JSON, non-objects and binary', () => {
    for (const body of [
      '{"action":"ping"}',
      '{"action":{"x":1}}',
      '{"no":"action"}',
      'hello',
      '["auth"]',
      '{broken',
      '',
      undefined,
    ]) {
      expect(keyOf(selector.select(body))).toBe('$default');
    }
  });

  it('never selects $connect or $disconnect from a message', () => {
    expect(keyOf(selector.select('{"action":"$connect"}'))).toBe('$default');
    expect(keyOf(selector.select('{"action":"$disconnect"}'))).toBe('$default');
    expect(keyOf(selector.connect)).toBe('$connect');
    expect(keyOf(selector.disconnect)).toBe('$disconnect');
  });

  it('selects nothing when there is no match and no $default', () => {
    const strict = new RouteSelector([route('auth')]);
    expect(strict.select('{"action":"ping"}')).toBeUndefined();
    expect(keyOf(strict.select('{"action":"auth"}'))).toBe('auth');
  });

  it('refuses a table with a duplicate route key', () => {
    expect(() => new RouteSelector([route('auth'), route('auth')])).toThrow(/Duplicate route key auth/);
  });
});
