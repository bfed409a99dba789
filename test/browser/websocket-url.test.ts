/**
 * Where the web client sends its token, in a real browser: only to the WebSocket URL the API gave the
 * page. A link naming another host (`?ws=`) reaches nothing there — not even a script in the page gets past
 * the CSP — and a gateway on a non-default port needs no parameter at all. A listener on a foreign host
 * name (Chromium maps `attacker.test` to 127.0.0.1) records whatever arrives.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocketServer } from 'ws';
import { startStack, type Stack } from '../support/stack.js';
import { BROWSER_TEST_TIMEOUT, hasChromium, launchChromium, openPage } from './support/chromium.js';
import { clientUrl, connectionStatus } from './support/gavel-pages.js';

const FOREIGN_HOST = 'attacker.test';

interface Listener {
  port: number;
  /** Every HTTP request and WebSocket frame that reached it. */
  received: string[];
  /** Resolves at the next thing received. */
  next(): Promise<string>;
  close(): Promise<void>;
}

async function startListener(): Promise<Listener> {
  const received: string[] = [];
  let waiters: Array<(what: string) => void> = [];
  const record = (what: string) => {
    received.push(what);
    for (const resolve of waiters) resolve(what);
    waiters = [];
  };
  const server: Server = createServer((req, res) => {
    record(`${req.method} ${req.url}`);
    // An icon of its own: a browser would otherwise ask for /favicon.ico after the probe.
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><link rel="icon" href="data:,"><p>listener</p>');
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => {
    record(`upgrade ${req.url}`);
    socket.on('message', (data) => record(`frame ${String(data)}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    next: () => new Promise<string>((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

(!hasChromium ? describe.skip : describe)(
  'the WebSocket URL the page uses, in chromium (skipped when /usr/bin/chromium is missing)',
  () => {
    // Where the page connects does not depend on the database: SQLite only.
    let stack: Stack;
    let browser: Browser;
    let listener: Listener;

    beforeAll(async () => {
      // No PUBLIC_WEBSOCKET_URL: the API derives ws://<page host>:<GATEWAY_PORT>, the gateway on a free port.
      [stack, browser, listener] = await Promise.all([
        startStack({ database: 'sqlite' }),
        launchChromium([`--host-resolver-rules=MAP ${FOREIGN_HOST} 127.0.0.1`]),
        startListener(),
      ]);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
      await listener?.close();
    }, 120_000);

    it(
      'goes Live against a gateway on a non-default port without any URL parameter',
      async () => {
        const gateway = new URL(stack.wsUrl);
        expect(gateway.port).not.toBe('3001');
        const { page, context, errors } = await openPage(browser);
        const sockets: string[] = [];
        page.on('websocket', (socket) => sockets.push(socket.url()));
        await page.goto(clientUrl(stack.apiUrl));
        expect(page.url()).toBe(`${stack.apiUrl}/`);
        await page.getByRole('button', { name: /Sign in as Alice/ }).click();
        await connectionStatus(page, 'connected');
        expect(sockets).toEqual([`ws://127.0.0.1:${gateway.port}/`]);
        expect(errors).toEqual([]);
        await context.close();
      },
      BROWSER_TEST_TIMEOUT,
    );

    it(
      'sends the signed-in admin’s token nowhere a ?ws= link names, and still goes Live against the real gateway',
      async () => {
        const { page, context } = await openPage(browser);
        // The foreign name really reaches the listener in this browser (so silence below means the page never tried).
        const probe = await page.goto(`http://${FOREIGN_HOST}:${listener.port}/probe`);
        expect(probe?.status()).toBe(200);
        expect(listener.received).toEqual(['GET /probe']);
        listener.received.length = 0;

        const sockets: string[] = [];
        page.on('websocket', (socket) => sockets.push(socket.url()));
        const link = `${stack.apiUrl}/?ws=${encodeURIComponent(`ws://${FOREIGN_HOST}:${listener.port}`)}`;
        await page.goto(link);
        await page.getByRole('button', { name: /Sign in as Admin/ }).click();
        // Whichever comes first: the page Live, or something (a token) at the listener.
        const outcome = await Promise.race([
          connectionStatus(page, 'connected').then(() => 'connected'),
          listener.next().then((what) => `listener got ${what}`),
        ]);
        expect(outcome).toBe('connected');
        expect(sockets.every((url) => new URL(url).port === new URL(stack.wsUrl).port)).toBe(true);

        // Reloading the link signed in (the token now in storage from the start) changes nothing.
        await page.reload();
        await connectionStatus(page, 'connected');

        // Not even a script in the page reaches the foreign host: the CSP names only 'self' and the gateway.
        const closed = await page.evaluate(
          (url) =>
            new Promise<string>((resolve) => {
              try {
                const socket = new WebSocket(url);
                socket.onopen = () => resolve('open');
                socket.onerror = () => resolve('failed');
                socket.onclose = () => resolve('closed');
              } catch (error) {
                resolve(`refused: ${(error as Error).name}`);
              }
            }),
          `ws://${FOREIGN_HOST}:${listener.port}/`,
        );
        expect(closed).not.toBe('open');
        expect(listener.received).toEqual([]);
        await context.close();
      },
      BROWSER_TEST_TIMEOUT,
    );
  },
);
