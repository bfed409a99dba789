import { describe, expect, it } from '@jest/globals';
import { readConfig } from './config.js';

const at = (href: string) => {
  const url = new URL(href);
  return { protocol: url.protocol, hostname: url.hostname, search: url.search, origin: url.origin, pathname: url.pathname };
};

describe('readConfig', () => {
  it('defaults the WebSocket to port 3001 of the page host, pings every 5 minutes, offers demo logins locally', () => {
    const config = readConfig(at('http://127.0.0.1:3000/'));
    expect(config.wsUrl).toBe('ws://127.0.0.1:3001');
    expect(config.apiBase).toBe('http://127.0.0.1:3000/');
    expect(config.pingIntervalMs).toBe(300_000);
    expect(config.demoMode).toBe(true);
  });

  it('uses wss on https pages and hides the demo logins off this machine', () => {
    const config = readConfig(at('https://gavel.example.com/app/index.html'));
    expect(config.wsUrl).toBe('wss://gavel.example.com:3001');
    expect(config.apiBase).toBe('https://gavel.example.com/app/');
    expect(config.demoMode).toBe(false);
  });

  it('takes ?ws= and ?ping= overrides and ignores malformed ones', () => {
    const aws = readConfig(at('https://x.example/?ws=wss%3A%2F%2Fabc.execute-api.eu-west-1.amazonaws.com%2Fprod&ping=1000'));
    expect(aws.wsUrl).toBe('wss://abc.execute-api.eu-west-1.amazonaws.com/prod');
    expect(aws.pingIntervalMs).toBe(1000);
    const bad = readConfig(at('http://localhost:3000/?ws=http://evil&ping=-1'));
    expect(bad.wsUrl).toBe('ws://localhost:3001');
    expect(bad.pingIntervalMs).toBe(300_000);
  });
});
