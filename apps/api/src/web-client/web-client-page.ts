/**
 * The browser client's page as the API serves it: the WebSocket URL is written into index.html by the
 * server, never taken from the page's own URL, and the CSP lets the page connect to that origin only.
 * So a link cannot send the signed-in user's token to another host (contract §3, PUBLIC_WEBSOCKET_URL).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '../config/env.js';

/** `<meta name="gavel-websocket-url" content="…">`: the web client reads it before it connects. */
export const WEBSOCKET_URL_META = 'gavel-websocket-url';
const PLACEHOLDER = `<meta name="${WEBSOCKET_URL_META}" content="" />`;

type WebSocketConfig = Pick<AppConfig, 'publicWebSocketUrl' | 'gatewayPort'>;

/** What the page needs to know about the request that asked for it. */
export interface PageRequest {
  /** The Host header as received. */
  host: string | undefined;
  /** Whether the page travels over TLS to this process (no proxy header is trusted). */
  secure: boolean;
}

// A DNS name (letters, digits, '-', '_', dots) or a bracketed IPv6 literal, then an optional port.
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9_]([a-z0-9_.-]{0,252}[a-z0-9_])?)(:\d{1,5})?$/i;

/** The host name of a Host header without its port, lower case; undefined when it is not a plain host[:port]. */
export function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined) return undefined;
  const match = HOST_HEADER.exec(hostHeader.trim());
  return match ? match[1]!.toLowerCase() : undefined;
}

/**
 * The WebSocket URL the page is given: PUBLIC_WEBSOCKET_URL when set, else the gateway's port on the host
 * the page itself was loaded from (the same host the token's storage belongs to); undefined when the
 * Host header names no usable host.
 */
export function webSocketUrlFor(config: WebSocketConfig, request: PageRequest): string | undefined {
  if (config.publicWebSocketUrl !== undefined) return config.publicWebSocketUrl;
  const hostname = hostnameOf(request.host);
  return hostname === undefined ? undefined : `${request.secure ? 'wss' : 'ws'}://${hostname}:${config.gatewayPort}`;
}

/** The parts of a request the URL depends on. Only this process's own TLS counts as secure: no proxy header is trusted. */
export function pageRequest(req: IncomingMessage): PageRequest {
  return { host: req.headers.host, secure: (req.socket as Partial<TLSSocket>).encrypted === true };
}

/** scheme://host[:port] of a WebSocket URL: what the CSP's connect-src names. */
export function webSocketOrigin(url: string): string {
  return new URL(url).origin;
}

type ConnectSource = string | ((req: IncomingMessage, res: ServerResponse) => string);

/** Helmet's CSP directives (its defaults, default-src 'self' …) with this connect-src; the dev stack is plain http. */
export function cspDirectives(connectSrc: ConnectSource[]) {
  return { connectSrc, upgradeInsecureRequests: null };
}

/**
 * connect-src for every answer of the API: 'self' plus PUBLIC_WEBSOCKET_URL's origin when it is set — a fixed
 * header, set at no cost per request. The page itself gets `connectSources` (the derived origin needs its Host).
 */
export function defaultConnectSources(config: WebSocketConfig): string[] {
  return config.publicWebSocketUrl === undefined ? ["'self'"] : ["'self'", webSocketOrigin(config.publicWebSocketUrl)];
}

/**
 * The page's CSP connect-src: 'self' (REST) and the WebSocket origin the page is given. A fixed string when
 * PUBLIC_WEBSOCKET_URL is set; otherwise worked out per request from the Host header, like the page.
 */
export function connectSources(config: WebSocketConfig): ConnectSource[] {
  if (config.publicWebSocketUrl !== undefined) return ["'self'", webSocketOrigin(config.publicWebSocketUrl)];
  return [
    "'self'",
    (req) => {
      const url = webSocketUrlFor(config, pageRequest(req));
      // No usable host: 'self' alone (helmet joins the parts with spaces; an empty part adds nothing).
      return url === undefined ? '' : webSocketOrigin(url);
    },
  ];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;', "'": '&#39;' };

/** index.html with the WebSocket URL in its placeholder meta element. */
export function renderIndexHtml(template: string, webSocketUrl: string): string {
  const escaped = webSocketUrl.replace(/[&"<>']/g, (c) => HTML_ESCAPES[c]!);
  return template.replace(PLACEHOLDER, `<meta name="${WEBSOCKET_URL_META}" content="${escaped}" />`);
}

/**
 * Serves the built client from `webRoot`: `/` and `/index.html` rendered per request (the URL may depend
 * on the Host), every other file as it is. Throws at start-up when index.html lacks the placeholder, so a
 * page that would have to guess its WebSocket URL is never served.
 */
export function serveWebClient(app: NestExpressApplication, config: WebSocketConfig, webRoot: string): void {
  const template = readFileSync(join(webRoot, 'index.html'), 'utf8');
  if (!template.includes(PLACEHOLDER)) throw new Error(`${join(webRoot, 'index.html')} lacks ${PLACEHOLDER}`);
  // Replaces the API-wide policy on the page only: the derived origin costs a Host parse per request.
  const pagePolicy = helmet.contentSecurityPolicy({ directives: cspDirectives(connectSources(config)) });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || (req.path !== '/' && req.path !== '/index.html'))
      return next();
    pagePolicy(req, res, (error?: unknown) => {
      if (error) return next(error);
      const url = webSocketUrlFor(config, pageRequest(req));
      if (url === undefined) return void res.status(400).type('text/plain').send('Bad Host header');
      // Depends on the Host header: revalidate rather than reuse a copy rendered for another name.
      res.set('cache-control', 'no-cache').type('html').send(renderIndexHtml(template, url));
    });
  });
  app.useStaticAssets(webRoot, { index: false });
}
