/**
 * The web client in a real browser (Debian chromium via playwright-core) against the whole stack:
 * API + local gateway as real processes on free ports, a fresh database of each kind. The pages reach the
 * gateway through a TCP gate the test controls: the API gives them its address as PUBLIC_WEBSOCKET_URL.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { databaseKinds } from '../support/databases.js';
import { freePort } from '../support/ports.js';
import { login, STACK_SECRETS, startStack, type Stack } from '../support/stack.js';
import { BROWSER_TEST_TIMEOUT, hasChromium, launchChromium, openPage, screenshot } from './support/chromium.js';
import {
  clientUrl,
  connectionStatus,
  dollars,
  openAuction,
  placeBid,
  priceShown,
  shownPriceCents,
  signInWithDemoButton,
} from './support/gavel-pages.js';
import { startTcpGate, type TcpGate } from './support/tcp-gate.js';

interface AuctionSummary {
  id: number | string;
  title: string;
  status: string;
  endsAt: string;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

(!hasChromium ? describe.skip : describe)(
  'web client in chromium (skipped when /usr/bin/chromium is missing: apt-get install -y chromium)',
  () => {
    describe.each(databaseKinds())('on %s', (kind) => {
      let stack: Stack;
      let gate: TcpGate;
      let browser: Browser;
      let auction: AuctionSummary;

      beforeAll(async () => {
        const gatewayPort = await freePort();
        gate = await startTcpGate(gatewayPort);
        const apiEnv = { PUBLIC_WEBSOCKET_URL: `ws://127.0.0.1:${gate.port}/dev` };
        [stack, browser] = await Promise.all([startStack({ database: kind, gatewayPort, apiEnv }), launchChromium()]);
        const auctions = await json<AuctionSummary[] | { items: AuctionSummary[] }>(
          await fetch(`${stack.apiUrl}/auctions`),
        );
        const list = Array.isArray(auctions) ? auctions : auctions.items;
        const open = list.find((a) => a.status === 'open' && Date.parse(a.endsAt) > Date.now() + 60_000);
        if (!open) throw new Error('the development seed should provide one open auction');
        auction = open;
      }, 120_000);

      afterAll(async () => {
        await browser?.close();
        await stack?.stop();
        await gate?.close();
      }, 120_000);

      it(
        'shows a bid on every page without reload, and tells the outbid bidder at once',
        async () => {
          const url = clientUrl(stack.apiUrl);
          const alice = await openPage(browser);
          const bob = await openPage(browser);
          await Promise.all([
            signInWithDemoButton(alice.page, url, 'Alice'),
            signInWithDemoButton(bob.page, url, 'Bob'),
          ]);
          await Promise.all([openAuction(alice.page, auction.title), openAuction(bob.page, auction.title)]);
          // A reload would drop this marker: proof that the update arrived over the socket.
          await bob.page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

          const start = await shownPriceCents(alice.page);
          const aliceBid = start + 100;
          await placeBid(alice.page, aliceBid);
          await alice.page
            .getByTestId('bid-feedback')
            .filter({ hasText: `Your bid of ${dollars(aliceBid)} is in.` })
            .waitFor();

          await priceShown(bob.page, aliceBid);
          await bob.page.getByTestId('leader').filter({ hasText: 'Alice leads.' }).waitFor();
          const bobTopBid = bob.page.getByTestId('bid-history').locator('li').first();
          expect(await bobTopBid.textContent()).toContain(dollars(aliceBid));
          expect(await bobTopBid.textContent()).toContain('Leading');
          expect(await bob.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
            true,
          );

          // Bob bids with the keyboard only: the amount field, then Enter.
          const bobBid = aliceBid + 500;
          await bob.page.getByLabel('Your bid (USD)').fill((bobBid / 100).toFixed(2));
          await bob.page.getByLabel('Your bid (USD)').press('Enter');
          await priceShown(alice.page, bobBid);
          await alice.page.locator('.toast[data-kind="outbid"]').waitFor();
          await alice.page.getByTestId('leader').filter({ hasText: 'Bob leads.' }).waitFor();
          await alice.page
            .getByTestId('unread-count')
            .filter({ hasText: /^[1-9]\d*$/ })
            .waitFor();
          await bob.page.getByTestId('leader').filter({ hasText: 'You are the highest bidder.' }).waitFor();
          await screenshot(alice.page, `${kind}-room-alice-outbid`);
          await screenshot(bob.page, `${kind}-room-bob-leading`);

          // A bid that is not above the price she sees is explained inline before it is sent.
          await alice.page.getByLabel('Your bid (USD)').fill((bobBid / 100).toFixed(2));
          await alice.page.getByRole('button', { name: 'Place bid' }).click();
          await alice.page
            .getByTestId('bid-error')
            .filter({ hasText: `Bid more than ${dollars(bobBid)}` })
            .waitFor();

          expect(alice.errors).toEqual([]);
          expect(bob.errors).toEqual([]);
          await Promise.all([alice.context.close(), bob.context.close()]);
        },
        BROWSER_TEST_TIMEOUT,
      );

      it(
        'reconnects after an admin closes the connection and shows the notification sent meanwhile',
        async () => {
          // The pages reach the gateway through the gate, so Alice is certainly away while the notification is
          // sent, and comes back only when the test allows it. Closed to new connections only: the admin's page,
          // connected before, keeps its socket.
          try {
            const alice = await openPage(browser);
            const admin = await openPage(browser);
            await signInWithDemoButton(alice.page, clientUrl(stack.apiUrl, { retry: 200 }), 'Alice');
            await signInWithDemoButton(admin.page, clientUrl(stack.apiUrl, { refresh: 500 }), 'Admin');
            await openAuction(alice.page, auction.title);
            await admin.page.getByRole('link', { name: 'Admin' }).click();
            // Her live connection, as her page knows it (an older row of hers could still be listed).
            const closedId = await alice.page.getByTestId('connection-status').getAttribute('data-connection-id');
            expect(closedId).toBeTruthy();
            const aliceRow = admin.page.locator(`tr[data-connection-id="${closedId}"]`);
            await aliceRow.waitFor();
            expect(await aliceRow.getAttribute('data-email')).toBe('alice@gavel.test');
            expect(await admin.page.getByTestId('admin-stats').locator('.stat').count()).toBeGreaterThan(0);
            const aliceId = (await aliceRow.locator('.cell-sub').textContent())!.replace('user #', '');
            await screenshot(admin.page, `${kind}-admin-console`, true);

            gate.pause();
            await aliceRow.getByRole('button', { name: /^Close connection/ }).click();
            await connectionStatus(alice.page, 'reconnecting');

            const sent = await fetch(`${stack.apiUrl}/notifications`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-api-key': STACK_SECRETS.SERVICE_API_KEY },
              body: JSON.stringify({
                userId: /^\d+$/.test(aliceId) ? Number(aliceId) : aliceId,
                kind: 'maintenance',
                title: 'Maintenance tonight at 23:00',
                body: 'Bidding pauses for ten minutes.',
              }),
            });
            expect(sent.status).toBe(202);
            expect((await sent.json()) as { deliveredTo: number }).toMatchObject({ deliveredTo: 0 });

            // Meanwhile Bob bids: Alice's room is stale, so her bid reaches the API and is refused (409) inline.
            const stale = await shownPriceCents(alice.page);
            const bobToken = await login(stack, 'bob@gavel.test');
            const bobBid = stale + 1000;
            const bidAnswer = await fetch(`${stack.apiUrl}/auctions/${auction.id}/bids`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${bobToken}` },
              body: JSON.stringify({ amountCents: bobBid }),
            });
            expect(bidAnswer.status).toBe(201);
            await placeBid(alice.page, stale + 100);
            await alice.page
              .getByTestId('bid-error')
              .filter({ hasText: `Outbid before yours arrived: the current bid is now ${dollars(bobBid)}` })
              .waitFor();
            await priceShown(alice.page, bobBid);

            // She keeps trying (with backoff) while the gate refuses her; once it opens she is back.
            await until(() => gate.refused > 0, 'a refused reconnect attempt');
            gate.resume();
            await connectionStatus(alice.page, 'connected');
            await alice.page.locator('.toast', { hasText: 'Maintenance tonight at 23:00' }).waitFor();
            // The list opens and closes from the keyboard; Escape returns focus to the bell.
            const bell = alice.page.getByTestId('notification-bell');
            expect(await bell.getAttribute('aria-label')).toMatch(/^Notifications, [1-9]\d* unread$/);
            await bell.focus();
            await alice.page.keyboard.press('Enter');
            await alice.page
              .getByTestId('notification-list')
              .locator('li[data-kind="maintenance"]', { hasText: 'Maintenance tonight at 23:00' })
              .waitFor();
            await screenshot(alice.page, `${kind}-reconnected-notifications`);
            await alice.page.keyboard.press('Escape');
            await alice.page.getByRole('region', { name: 'Notifications' }).waitFor({ state: 'hidden' });
            expect(await bell.evaluate((el) => el === document.activeElement)).toBe(true);

            // The console shows her new connection, not the closed one.
            const newId = await alice.page.getByTestId('connection-status').getAttribute('data-connection-id');
            expect(newId).toBeTruthy();
            expect(newId).not.toBe(closedId);
            await admin.page.locator(`tr[data-connection-id="${newId}"][data-email="alice@gavel.test"]`).waitFor();
            expect(await admin.page.locator(`tr[data-connection-id="${closedId}"]`).count()).toBe(0);

            // A longer absence: five notifications come back as one summary toast, all of them in the list.
            gate.pause();
            await admin.page
              .locator(`tr[data-connection-id="${newId}"]`)
              .getByRole('button', { name: /^Close connection/ })
              .click();
            await connectionStatus(alice.page, 'reconnecting');
            for (let i = 1; i <= 5; i++) {
              const answer = await fetch(`${stack.apiUrl}/notifications`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-api-key': STACK_SECRETS.SERVICE_API_KEY },
                body: JSON.stringify({ userId: Number(aliceId), kind: 'lot.update', title: `Lot update ${i}` }),
              });
              expect(answer.status).toBe(202);
            }
            gate.resume();
            await connectionStatus(alice.page, 'connected');
            await alice.page.locator('.toast', { hasText: '5 notifications while you were away' }).waitFor();
            expect(await alice.page.locator('.toast', { hasText: /^Lot update/ }).count()).toBe(0);
            await bell.click();
            for (let i = 1; i <= 5; i++)
              await alice.page
                .getByTestId('notification-list')
                .locator('li', { hasText: `Lot update ${i}` })
                .waitFor();
            expect(alice.errors).toEqual([]);
            expect(admin.errors).toEqual([]);
            await Promise.all([alice.context.close(), admin.context.close()]);
          } finally {
            gate.resume();
          }
        },
        BROWSER_TEST_TIMEOUT,
      );

      it(
        'shows the winner and the won notification when the auction closes while the room is open',
        async () => {
          const alice = await openPage(browser);
          await signInWithDemoButton(alice.page, clientUrl(stack.apiUrl), 'Alice');
          const adminToken = await login(stack, 'admin@gavel.test');
          const title = `Closing soon ${kind} ${Date.now()}`;
          // The API closes due auctions every second; a few seconds leave time to bid first.
          const created = await fetch(`${stack.apiUrl}/auctions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
            body: JSON.stringify({
              title,
              startingPriceCents: 1000,
              endsAt: new Date(Date.now() + 8_000).toISOString(),
            }),
          });
          const short = await json<AuctionSummary>(created);
          await alice.page.evaluate((id) => (location.hash = `#/auctions/${id}`), String(short.id));
          await alice.page.getByRole('heading', { level: 1, name: title }).waitFor();
          await placeBid(alice.page, 1100);
          await alice.page.getByTestId('leader').filter({ hasText: 'You are the highest bidder.' }).waitFor();

          await alice.page
            .getByTestId('leader')
            .filter({ hasText: 'You won this auction!' })
            .waitFor({ timeout: 30_000 });
          await alice.page.locator('.toast[data-kind="won"]').waitFor();
          await alice.page.getByTestId('closed-note').waitFor();
          expect(await alice.page.getByRole('button', { name: 'Place bid' }).isHidden()).toBe(true);
          expect(await alice.page.locator('.room__head .chip').textContent()).toBe('Closed');
          await screenshot(alice.page, `${kind}-room-won`);
          expect(alice.errors).toEqual([]);
          await alice.context.close();
        },
        BROWSER_TEST_TIMEOUT,
      );

      it(
        'keeps the room usable on a phone-sized screen: no horizontal scroll, the bid form within reach',
        async () => {
          const bob = await openPage(browser, {
            viewport: { width: 390, height: 844 },
            isMobile: true,
            hasTouch: true,
            deviceScaleFactor: 2,
          });
          // Pings every 300 ms here (5 min by default): the gateway's pong must come back through the real route.
          const pong = new Promise<void>((resolve) =>
            bob.page.on('websocket', (socket) =>
              socket.on('framereceived', (frame) => String(frame.payload).includes('"pong"') && resolve()),
            ),
          );
          await signInWithDemoButton(bob.page, clientUrl(stack.apiUrl, { ping: 300 }), 'Bob');
          await pong;
          await openAuction(bob.page, auction.title);

          // Against the device width itself: a mobile browser widens its layout viewport to fit wide content.
          expect(await bob.page.evaluate(() => [window.innerWidth, document.documentElement.scrollWidth])).toEqual([
            390, 390,
          ]);
          for (const control of [
            bob.page.getByLabel('Your bid (USD)'),
            bob.page.getByRole('button', { name: 'Place bid' }),
          ]) {
            const box = (await control.boundingBox())!;
            expect(box.x).toBeGreaterThanOrEqual(0);
            expect(box.x + box.width).toBeLessThanOrEqual(390);
            expect(box.height).toBeGreaterThanOrEqual(44); // a comfortable touch target
          }

          const bid = (await shownPriceCents(bob.page)) + 100;
          await bob.page.getByLabel('Your bid (USD)').fill((bid / 100).toFixed(2));
          await bob.page.getByRole('button', { name: 'Place bid' }).tap();
          await priceShown(bob.page, bid);
          await screenshot(bob.page, `${kind}-room-phone`, true);

          // The phone loses its network: the indicator says so, and says Live again when it is back.
          await bob.context.setOffline(true);
          await connectionStatus(bob.page, 'offline');
          await bob.context.setOffline(false);
          await connectionStatus(bob.page, 'connected');
          expect(bob.errors).toEqual([]);
          await bob.context.close();
        },
        BROWSER_TEST_TIMEOUT,
      );
    });
  },
);
