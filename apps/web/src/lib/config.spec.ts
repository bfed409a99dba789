import { describe, expect, it, jest } from '@jest/globals';
import { readConfig, servedWebSocketUrl } from './config.js';

const at = (href: string) => {
  const url = new URL(href);
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    search: url.search,
    origin: url.origin,
    pathname: url.pathname,
  };
};

describe('readConfig', () => {
  it('connects where the server says, pings every 5 minutes, offers demo logins locally', () => {
    const config = readConfig(at('http://127.0.0.1:3000/'), 'ws://127.0.0.1:4001');
    expect(config.wsUrl).toBe('ws://127.0.0.1:4001');
    expect(config.apiBase).toBe('http://127.0.0.1:3000/');
    expect(config.pingIntervalMs).toBe(300_000);
    expect(config.demoMode).toBe(true);
    expect(readConfig(at('https://x.example/'), 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod').wsUrl).toBe(
      'wss://abc.execute-api.eu-west-1.amazonaws.com/prod',
    );
  });

  it('ignores ?ws=: no link can send the token to another host', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const served = readConfig(
        at('http://127.0.0.1:3000/?ws=ws%3A%2F%2Fattacker.example%3A9999'),
        'ws://127.0.0.1:4001',
      );
      expect(served.wsUrl).toBe('ws://127.0.0.1:4001');
      const unserved = readConfig(at('https://gavel.example.com/?ws=wss://attacker.example'), null);
      expect(unserved.wsUrl).toBe('wss://gavel.example.com:3001');
      expect(warn).toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('without a served URL falls back to port 3001 of the page host; wss and no demo logins on a public https page', () => {
    const config = readConfig(at('https://gavel.example.com/app/index.html'), null);
    expect(config.wsUrl).toBe('wss://gavel.example.com:3001');
    expect(config.apiBase).toBe('https://gavel.example.com/app/');
    expect(config.demoMode).toBe(false);
  });

  it('upgrades a served ws:// URL on an https page and ignores a served URL that is not ws(s)', () => {
    expect(readConfig(at('https://gavel.example.com/'), 'ws://gavel.example.com:3001').wsUrl).toBe(
      'wss://gavel.example.com:3001',
    );
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(readConfig(at('http://localhost:3000/'), 'http://evil').wsUrl).toBe('ws://localhost:3001');
    } finally {
      warn.mockRestore();
    }
  });

  it('takes ?ping= and ignores malformed numbers', () => {
    expect(readConfig(at('http://localhost:3000/?ping=1000'), null).pingIntervalMs).toBe(1000);
    expect(readConfig(at('http://localhost:3000/?ping=-1'), null).pingIntervalMs).toBe(300_000);
  });
});

describe('servedWebSocketUrl', () => {
  it('reads the meta element the server filled in, and nothing when it is empty or missing', () => {
    const doc = (content: string | undefined) => ({
      querySelector: (selector: string) =>
        content !== undefined && selector === 'meta[name="gavel-websocket-url"]'
          ? ({ content } as HTMLMetaElement)
          : null,
    });
    expect(servedWebSocketUrl(doc('ws://127.0.0.1:4001') as Pick<Document, 'querySelector'>)).toBe(
      'ws://127.0.0.1:4001',
    );
    expect(servedWebSocketUrl(doc('') as Pick<Document, 'querySelector'>)).toBeNull();
    expect(servedWebSocketUrl(doc(undefined) as Pick<Document, 'querySelector'>)).toBeNull();
  });
});
