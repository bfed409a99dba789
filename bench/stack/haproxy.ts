/**
 * HAProxy in front of several API copies (contract §9): the configuration an operator would write for
 * the API, and HAProxy's view of its backends. Shared by the bench (`--replicas`) and the replica test
 * harness (test/support/replicas.ts), so both measure and prove the same load balancer. Pure but for
 * the stats-socket read.
 */
import { createConnection } from 'node:net';

/** Debian's `haproxy` (apt-get install haproxy); HAPROXY_PATH overrides. */
export const HAPROXY = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

/** The backend every generated configuration balances over (the name `show servers state` is asked about). */
export const HAPROXY_BACKEND = 'api_copies';
/** The same copies for requests that are safe to send again (see haproxyConfig). */
export const HAPROXY_REPLAYABLE_BACKEND = 'api_copies_replayable';

export interface HaproxyConfigOptions {
  listenPort: number;
  servers: ReadonlyArray<{ name: string; port: number }>;
  statsSocket: string;
}

/** HAProxy's configuration as an operator would write it for the API (see docs/operations.md). */
export function haproxyConfig(options: HaproxyConfigOptions): string {
  if (options.servers.length === 0) throw new Error('haproxyConfig needs at least one server');
  for (const server of options.servers) {
    if (!/^[A-Za-z0-9_-]+$/.test(server.name))
      throw new Error(`haproxyConfig: server name "${server.name}" must be letters, digits, _ and -`);
    if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65_535)
      throw new Error(`haproxyConfig: server ${server.name} has no valid port (${server.port})`);
  }
  return [
    'global',
    `  stats socket ${options.statsSocket} mode 600 level admin`,
    '  maxconn 4096',
    // One access-log line per request on HAProxy's standard output (the harnesses keep it; in a container it is
    // the container's log): which copy answered, its timings and HAProxy's termination state (e.g. `SC--`).
    '  log stdout format raw local0 info',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  timeout connect 2s',
    // Above the API's slowest answer (a bid retrying a contended auction), below the Lambdas' 29 s.
    '  timeout client 30s',
    '  timeout server 25s',
    '  timeout http-keep-alive 30s',
    // A copy that refuses the connection (killed, restarting) costs the client nothing: the request goes to another copy.
    '  retries 3',
    '  option redispatch 1',
    // Retried only where the request cannot have reached the API's code: a refused connection, or a 503
    // (a copy's health answer while its database is down). A request cut off mid-answer is not replayed
    // behind the client's back (a POST may have been applied) unless it is replayable (the second backend).
    '  retry-on conn-failure 503',
    'frontend api',
    `  bind 127.0.0.1:${options.listenPort}`,
    // The client's address for the API's logs and per-IP limits (the copies run with TRUST_PROXY=1).
    '  option forwardfor',
    // Requests that may run twice with the same outcome: reads, and anything with an Idempotency-Key (a repeat
    // returns the first answer and does nothing else, contract §4). Only these are replayed when a copy dies
    // with them unanswered (the backend below).
    '  acl replayable method GET HEAD OPTIONS',
    '  acl replayable req.hdr(idempotency-key) -m found',
    `  use_backend ${HAPROXY_REPLAYABLE_BACKEND} if replayable`,
    `  default_backend ${HAPROXY_BACKEND}`,
    `backend ${HAPROXY_BACKEND}`,
    '  balance roundrobin',
    '  option httpchk GET /health',
    '  http-check expect status 200',
    // Down after 2 failed checks 300 ms apart, up again after 2 good ones.
    '  default-server inter 300ms fall 2 rise 2',
    // Without it a check's answer must come within `inter` (300 ms): a copy merely busy (a loaded machine,
    // a GC pause) was marked DOWN, and with every copy DOWN HAProxy answered 503 itself. A killed copy still
    // fails its check at once (connection refused; the check's connect waits min(inter, timeout connect)).
    '  timeout check 2s',
    ...options.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check`),
    `backend ${HAPROXY_REPLAYABLE_BACKEND}`,
    '  balance roundrobin',
    // Also retried: a request sent to a copy that closed the connection with no answer (killed, or a keep-alive
    // connection closing as the request went out). Without it HAProxy answers that request with a 502 — or,
    // when it was not the first request on the client's keep-alive connection, closes the client's connection
    // without any answer (so that the client retries it, as for a keep-alive connection its server closed).
    '  retry-on conn-failure empty-response 503',
    // The same servers, UP and DOWN with their checks in the backend above (no second set of health checks).
    ...options.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} track ${HAPROXY_BACKEND}/${s.name}`),
    '',
  ].join('\n');
}

/**
 * `show servers state <backend>` output → server name → UP / DOWN / `state <n>`.
 * Columns: be_id be_name srv_id srv_name srv_addr srv_op_state … (srv_op_state 2 = running, 0 = stopped).
 */
export function parseServersState(text: string): Record<string, string> {
  const states: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6 || !/^\d+$/.test(fields[0]!)) continue;
    states[fields[3]!] = fields[5] === '2' ? 'UP' : fields[5] === '0' ? 'DOWN' : `state ${fields[5]}`;
  }
  return states;
}

/** HAProxy's view of the backends, over its stats socket: server name → UP / DOWN / …. */
export async function haproxyServerStates(socketPath: string): Promise<Record<string, string>> {
  const text = await new Promise<string>((done, fail) => {
    const chunks: Buffer[] = [];
    const socket = createConnection(socketPath, () => socket.end(`show servers state ${HAPROXY_BACKEND}\n`));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', fail);
  });
  return parseServersState(text);
}
