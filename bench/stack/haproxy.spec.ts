import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { HAPROXY, haproxyConfig, parseServersState } from './haproxy.js';

const servers = [
  { name: 'api1', port: 41001 },
  { name: 'api2', port: 41002 },
];

describe('haproxyConfig', () => {
  const config = haproxyConfig({ listenPort: 40999, servers, statsSocket: '/tmp/x/haproxy.sock' });

  it('balances over every copy, health-checked on /health, and listens where asked', () => {
    expect(config).toContain('  bind 127.0.0.1:40999\n');
    expect(config).toContain('  server api1 127.0.0.1:41001 check\n');
    expect(config).toContain('  server api2 127.0.0.1:41002 check\n');
    expect(config).toContain('  option httpchk GET /health\n');
    expect(config).toContain('  http-check expect status 200\n');
    // A busy copy's slow /health must not take it out of rotation (the check's timeout would be `inter`, 300 ms).
    expect(config).toMatch(/\n {2}timeout check [1-9]\d*s\n/);
    expect(config).toContain('  stats socket /tmp/x/haproxy.sock mode 600 level admin\n');
    // An access log, not just `option httplog` with nowhere to write it.
    expect(config).toContain('  log stdout format raw local0 info\n');
    expect(config).toMatch(/\ndefaults\n(?: {2}.*\n)* {2}log global\n(?: {2}.*\n)* {2}option httplog\n/);
  });

  it('retries only what cannot have reached the API, and forwards the client address', () => {
    expect(config).toContain('  option redispatch 1\n');
    expect(config).toContain('  retry-on conn-failure 503\n');
    expect(config).not.toMatch(/retry-on .*(all-retryable-errors|response-timeout)/);
    expect(config).toContain('  option forwardfor\n');
  });

  it('replays a request left unanswered by a copy only when a repeat is harmless: a read or an Idempotency-Key', () => {
    const backends = config.split(/\n(?=backend )/);
    const main = backends.find((b) => b.startsWith('backend api_copies\n'))!;
    const replayable = backends.find((b) => b.startsWith('backend api_copies_replayable\n'))!;
    expect(main).not.toContain('empty-response');
    expect(replayable).toContain('  retry-on conn-failure empty-response 503\n');
    expect(config).toContain('  acl replayable method GET HEAD OPTIONS\n');
    expect(config).toContain('  acl replayable req.hdr(idempotency-key) -m found\n');
    expect(config).toContain('  use_backend api_copies_replayable if replayable\n');
    // The same servers, following the main backend's health checks.
    expect(replayable).toContain('  server api1 127.0.0.1:41001 track api_copies/api1\n');
    expect(replayable).toContain('  server api2 127.0.0.1:41002 track api_copies/api2\n');
  });

  it('refuses what would make a broken configuration', () => {
    const statsSocket = '/tmp/s';
    expect(() => haproxyConfig({ listenPort: 1, servers: [], statsSocket })).toThrow(/at least one server/);
    expect(() => haproxyConfig({ listenPort: 1, servers: [{ name: 'a b', port: 2 }], statsSocket })).toThrow(
      /server name "a b"/,
    );
    expect(() => haproxyConfig({ listenPort: 1, servers: [{ name: 'a', port: 70_000 }], statsSocket })).toThrow(
      /no valid port/,
    );
  });

  // HAProxy itself judges the file (`haproxy -c`), where it is installed (the replica tests and --replicas need it).
  (existsSync(HAPROXY) ? it : it.skip)('is accepted by haproxy -c', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gavel-haproxy-spec-'));
    try {
      const file = join(dir, 'haproxy.cfg');
      writeFileSync(file, haproxyConfig({ listenPort: 40999, servers, statsSocket: join(dir, 'haproxy.sock') }));
      const check = spawnSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8' });
      expect({ status: check.status, stderr: check.stderr }).toMatchObject({ status: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseServersState', () => {
  it('reads the operational state of each server and skips the header lines', () => {
    const text = [
      '1',
      '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state',
      '3 api_copies 1 api1 127.0.0.1 2 0 1 1 12 6 3 4 6 0 0 0 - 41001 -',
      '3 api_copies 2 api2 127.0.0.1 0 0 1 1 12 6 3 4 6 0 0 0 - 41002 -',
      '3 api_copies 3 api3 127.0.0.1 1 0 1 1 12 6 3 4 6 0 0 0 - 41003 -',
      '',
    ].join('\n');
    expect(parseServersState(text)).toEqual({ api1: 'UP', api2: 'DOWN', api3: 'state 1' });
    expect(parseServersState('')).toEqual({});
  });
});
