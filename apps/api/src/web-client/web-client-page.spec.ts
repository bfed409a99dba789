import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import {
  connectSources,
  defaultConnectSources,
  hostnameOf,
  renderIndexHtml,
  webSocketOrigin,
  webSocketUrlFor,
} from './web-client-page.js';

const DERIVED = { publicWebSocketUrl: undefined, gatewayPort: 4001 };
const AWS = { publicWebSocketUrl: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod', gatewayPort: 3001 };

describe(hostnameOf.name, () => {
  it('keeps the host name of a Host header and drops the port', () => {
    expect(hostnameOf('127.0.0.1:3000')).toBe('127.0.0.1');
    expect(hostnameOf('Gavel.Example.com')).toBe('gavel.example.com');
    expect(hostnameOf('[::1]:3000')).toBe('[::1]');
    expect(hostnameOf('api_1:3000')).toBe('api_1');
  });

  it('refuses anything that is not a plain host[:port]', () => {
    for (const bad of [undefined, '', 'a@b', 'evil.example/x', 'h:1:2', 'h"><script>', 'h:port', 'h h', '-.', 'h\\x'])
      expect(hostnameOf(bad)).toBeUndefined();
  });
});

describe(webSocketUrlFor.name, () => {
  it('defaults to the gateway port on the host the page was loaded from (wss over TLS)', () => {
    expect(webSocketUrlFor(DERIVED, { host: '127.0.0.1:3000', secure: false })).toBe('ws://127.0.0.1:4001');
    expect(webSocketUrlFor(DERIVED, { host: 'gavel.example.com', secure: true })).toBe('wss://gavel.example.com:4001');
    expect(webSocketUrlFor(DERIVED, { host: 'a@attacker.example', secure: false })).toBeUndefined();
  });

  it('gives PUBLIC_WEBSOCKET_URL whatever the Host header says', () => {
    expect(webSocketUrlFor(AWS, { host: 'attacker.example', secure: false })).toBe(AWS.publicWebSocketUrl);
  });
});

describe(connectSources.name, () => {
  const evaluate = (sources: ReturnType<typeof connectSources>, host?: string) =>
    sources
      .map((s) =>
        typeof s === 'string' ? s : s({ headers: { host }, socket: {} } as IncomingMessage, {} as ServerResponse),
      )
      .join(' ')
      .trim();

  it("names only 'self' and the origin of the configured URL", () => {
    expect(connectSources(AWS)).toEqual(["'self'", 'wss://abc123.execute-api.eu-west-1.amazonaws.com']);
  });

  it("names only 'self' and the derived origin of this request's host, or only 'self' for a bad Host", () => {
    expect(evaluate(connectSources(DERIVED), '127.0.0.1:3000')).toBe("'self' ws://127.0.0.1:4001");
    expect(evaluate(connectSources(DERIVED), 'localhost:3000')).toBe("'self' ws://localhost:4001");
    expect(evaluate(connectSources(DERIVED), 'x;script-src *')).toBe("'self'");
  });

  it("gives the API's other answers 'self' and the configured origin only: nothing derived from a Host", () => {
    expect(defaultConnectSources(DERIVED)).toEqual(["'self'"]);
    expect(defaultConnectSources(AWS)).toEqual(["'self'", 'wss://abc123.execute-api.eu-west-1.amazonaws.com']);
  });

  it('takes the origin of a stage URL', () => {
    expect(webSocketOrigin('ws://127.0.0.1:3001/dev')).toBe('ws://127.0.0.1:3001');
  });
});

describe(renderIndexHtml.name, () => {
  const template = '<head><meta name="gavel-websocket-url" content="" /></head>';

  it('fills the placeholder, escaped for an attribute', () => {
    expect(renderIndexHtml(template, 'ws://127.0.0.1:4001')).toBe(
      '<head><meta name="gavel-websocket-url" content="ws://127.0.0.1:4001" /></head>',
    );
    expect(renderIndexHtml(template, 'ws://h/"><script>&')).toBe(
      '<head><meta name="gavel-websocket-url" content="ws://h/&quot;&gt;&lt;script&gt;&amp;" /></head>',
    );
  });
});
