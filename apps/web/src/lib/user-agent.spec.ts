import { describe, expect, it } from '@jest/globals';
import { shortAgent } from './user-agent.js';

describe('shortAgent', () => {
  it.each([
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
      'Chrome 156 · Linux',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0',
      'Edge 130 · Windows',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari 17 · iPhone',
    ],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox 128 · macOS'],
    ['gavel-tests/1.0', 'gavel-tests 1'],
  ])('%s → %s', (ua, expected) => {
    expect(shortAgent(ua)).toBe(expected);
  });

  it('shows a dash when the gateway saw no user agent', () => {
    expect(shortAgent(null)).toBe('—');
  });
});
