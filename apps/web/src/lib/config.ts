/**
 * Client settings, read once from the page's own URL: no config endpoint to fetch, so the page works
 * from any static host. Query parameters override the defaults (tests, AWS deployments):
 *   ?ws=wss://abc.execute-api.eu-west-1.amazonaws.com/prod   the WebSocket URL (default ws://<page host>:3001)
 *   ?ping=300000     ms between keep-alive pings (API Gateway drops sockets idle for 10 min)
 *   ?retry=1000      smallest reconnect delay in ms (doubles up to 30 s, with jitter)
 *   ?refresh=5000    ms between admin console refreshes
 */
export interface ClientConfig {
  /** Origin + path prefix for REST calls: the page's own directory. */
  apiBase: string;
  wsUrl: string;
  pingIntervalMs: number;
  /** No pong within this time after a ping: the socket is considered dead and replaced. */
  pongTimeoutMs: number;
  minReconnectDelayMs: number;
  maxReconnectDelayMs: number;
  adminRefreshMs: number;
  /** Development page (served from this machine): offer the seeded demo logins. */
  demoMode: boolean;
}

const FIVE_MINUTES = 5 * 60 * 1000;

export function readConfig(location: Pick<Location, 'protocol' | 'hostname' | 'search' | 'origin' | 'pathname'>): ClientConfig {
  const params = new URLSearchParams(location.search);
  const wsScheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const pingIntervalMs = positiveInt(params.get('ping'), FIVE_MINUTES);
  return {
    apiBase: location.origin + location.pathname.replace(/[^/]*$/, ''),
    wsUrl: webSocketUrl(params.get('ws')) ?? `${wsScheme}://${location.hostname}:3001`,
    pingIntervalMs,
    // Fixed, not tied to ?ping=: a fast test ping on a busy machine must not churn the socket.
    pongTimeoutMs: 30_000,
    minReconnectDelayMs: positiveInt(params.get('retry'), 1000),
    maxReconnectDelayMs: 30_000,
    adminRefreshMs: positiveInt(params.get('refresh'), 5000),
    demoMode: isLocalHost(location.hostname) && params.get('demo') !== '0',
  };
}

/** Pages served from this machine are development pages (the API seeds demo users only outside production). */
export function isLocalHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function webSocketUrl(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'ws:' || url.protocol === 'wss:') return url.toString().replace(/\/$/, '');
  } catch {
    // fall through to the warning
  }
  console.warn(`Ignoring ?ws=${value}: not a ws:// or wss:// URL`);
  return undefined;
}

function positiveInt(value: string | null, fallback: number): number {
  if (value === null) return fallback;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
