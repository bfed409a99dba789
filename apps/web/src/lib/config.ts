/**
 * Client settings, read once at start. The WebSocket URL comes only from the server that served the page
 * (`<meta name="gavel-websocket-url">`, written by the API from PUBLIC_WEBSOCKET_URL or the gateway's
 * port on the page's host): the socket carries the user's token, so nothing in the page's own URL may
 * choose where it goes. Query parameters tune the rest (tests, slow networks):
 *   ?ping=300000     ms between keep-alive pings (API Gateway drops sockets idle for 10 min)
 *   ?retry=1000      smallest reconnect delay in ms (doubles up to 30 s, with jitter)
 *   ?refresh=5000    ms between admin console refreshes
 *   ?demo=0          hide the demo logins
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
export const WEBSOCKET_URL_META = 'gavel-websocket-url';
/** Without a served URL (a page not served by the API): the local gateway's default port on the page's host. */
const DEFAULT_GATEWAY_PORT = 3001;

/** The WebSocket URL the server wrote into the page, if any. */
export function servedWebSocketUrl(document: Pick<Document, 'querySelector'>): string | null {
  return document.querySelector<HTMLMetaElement>(`meta[name="${WEBSOCKET_URL_META}"]`)?.content || null;
}

export function readConfig(
  location: Pick<Location, 'protocol' | 'hostname' | 'search' | 'origin' | 'pathname'>,
  served: string | null,
): ClientConfig {
  const params = new URLSearchParams(location.search);
  const https = location.protocol === 'https:';
  if (params.has('ws'))
    console.warn('Ignoring ?ws=: the server that serves this page names its WebSocket URL (PUBLIC_WEBSOCKET_URL)');
  const pingIntervalMs = positiveInt(params.get('ping'), FIVE_MINUTES);
  return {
    apiBase: location.origin + location.pathname.replace(/[^/]*$/, ''),
    wsUrl: webSocketUrl(served, https) ?? `${https ? 'wss' : 'ws'}://${location.hostname}:${DEFAULT_GATEWAY_PORT}`,
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
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(hostname)
  );
}

/**
 * The served URL if it is a ws:// or wss:// URL. On an https page a ws:// URL is upgraded to wss:// (the
 * browser would refuse it as mixed content; the host stays the same, and CSP lets ws: sources match wss:).
 */
function webSocketUrl(value: string | null, https: boolean): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'ws:' || url.protocol === 'wss:') {
      if (https && url.protocol === 'ws:') url.protocol = 'wss:';
      return url.toString().replace(/\/$/, '');
    }
  } catch {
    // fall through to the warning
  }
  console.warn(`Ignoring the served WebSocket URL ${value}: not a ws:// or wss:// URL`);
  return undefined;
}

function positiveInt(value: string | null, fallback: number): number {
  if (value === null) return fallback;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
