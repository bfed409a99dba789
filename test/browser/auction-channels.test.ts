/**
 * Auction channels in a real browser (Debian chromium via playwright-core) against the whole stack: API and
 * local gateway as real processes, a fresh database of each kind. The pages connect to the gateway directly, so
 * stopping its process really drops every socket, and the restarted one (same port) knows none of them.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { apiJson, login, startStack, type Stack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { BROWSER_TEST_TIMEOUT, hasChromium, launchChromium, openPage, screenshot } from './support/chromium.js';
import {
  clientUrl,
  connectionStatus,
  dollars,
  openAuction,
  priceShown,
  signInWithDemoButton,
} from './support/gavel-pages.js';

interface Auction {
  id: number | string;
  title: string;
  currentPriceCents: number;
  bidCount: number;
}

/** Every `subscribed` frame a page received, in order (the page's own view of its socket). */
function recordSnapshots(page: Page): { auctionId: unknown; seq: number; priceCents: number }[] {
  const snapshots: { auctionId: unknown; seq: number; priceCents: number }[] = [];
  page.on('websocket', (socket) =>
    socket.on('framereceived', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as {
        type?: string;
        data?: { auctionId: unknown; seq: number; auction: { currentPriceCents: number } };
      };
      if (frame.type === 'subscribed' && frame.data)
        snapshots.push({
          auctionId: frame.data.auctionId,
          seq: frame.data.seq,
          priceCents: frame.data.auction.currentPriceCents,
        });
    }),
  );
  return snapshots;
}

/**
 * From now on the page's GET requests matching `url` are answered by the API at once, but the answers reach the
 * page only on `release()` (which resolves once they are delivered): a slow network, made deterministic.
 */
async function holdAnswers(page: Page, url: RegExp): Promise<{ readonly held: number; release(): Promise<void> }> {
  let open!: () => void;
  const released = new Promise<void>((resolve) => (open = resolve));
  const delivered: Promise<void>[] = [];
  let held = 0;
  await page.route(url, (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    held++;
    const delivery = route.fetch().then(async (response) => {
      await released;
      await route.fulfill({ response });
    });
    delivered.push(delivery);
    return delivery;
  });
  return {
    get held() {
      return held;
    },
    release: async () => {
      open();
      await Promise.all(delivered);
      await page.unroute(url);
    },
  };
}

/** Counts re-renders of `selector` (its children replaced) from now on; `rendered` waits for the next one. */
async function countRenders(page: Page, selector: string): Promise<void> {
  await page.evaluate((selector) => {
    const counted = window as unknown as { renders: number };
    counted.renders = 0;
    new MutationObserver(() => counted.renders++).observe(document.querySelector(selector)!, { childList: true });
  }, selector);
}

async function rendered(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { renders: number }).renders > 0);
}

/** The price a card of the auction list shows for this auction. */
function cardPrice(page: Page, auctionId: number | string) {
  return page.locator(`li[data-auction-id="${auctionId}"] .auction-card__price`);
}

(!hasChromium ? describe.skip : describe)(
  'auction channels in chromium (skipped when /usr/bin/chromium is missing: apt-get install -y chromium)',
  () => {
    describe.each(databaseKinds())('on %s', (kind) => {
      let stack: Stack;
      let browser: Browser;
      let adminToken: string;
      let bobToken: string;

      beforeAll(async () => {
        [stack, browser] = await Promise.all([startStack({ database: kind }), launchChromium()]);
        [adminToken, bobToken] = await Promise.all([login(stack, 'admin@gavel.test'), login(stack, 'bob@gavel.test')]);
      }, 120_000);

      afterAll(async () => {
        await browser?.close();
        await stack?.stop();
      }, 120_000);

      async function createAuction(title: string, startingPriceCents = 1000): Promise<Auction> {
        const { status, body } = await apiJson<Auction>(stack, '/auctions', {
          token: adminToken,
          body: { title, startingPriceCents, endsAt: new Date(Date.now() + 30 * 60_000).toISOString() },
        });
        expect(status).toBe(201);
        return body;
      }

      async function bobBids(auction: Auction, amountCents: number): Promise<void> {
        const { status, body } = await apiJson(stack, `/auctions/${auction.id}/bids`, {
          token: bobToken,
          body: { amountCents },
        });
        expect({ status, body }).toMatchObject({ status: 201, body: { amountCents } });
      }

      async function priceNow(auction: Auction): Promise<Auction> {
        const { status, body } = await apiJson<Auction>(stack, `/auctions/${auction.id}`);
        expect(status).toBe(200);
        return body;
      }

      it(
        'the auction list shows live prices of the auctions on screen, without reload',
        async () => {
          const first = await createAuction(`Clock ${kind} ${Date.now()}`);
          const second = await createAuction(`Lamp ${kind} ${Date.now()}`, 2500);
          const alice = await openPage(browser);
          await signInWithDemoButton(alice.page, clientUrl(stack.apiUrl), 'Alice');
          await cardPrice(alice.page, second.id)
            .filter({ hasText: dollars(2500) })
            .waitFor();
          await alice.page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

          await bobBids(first, 1500);
          await cardPrice(alice.page, first.id)
            .filter({ hasText: dollars(1500) })
            .waitFor();
          await bobBids(second, 3000);
          await bobBids(second, 3200);
          await cardPrice(alice.page, second.id)
            .filter({ hasText: dollars(3200) })
            .waitFor();
          await alice.page
            .locator(`li[data-auction-id="${second.id}"] .auction-card__meta`)
            .filter({ hasText: /^2 bids/ })
            .waitFor();
          expect(await cardPrice(alice.page, first.id).textContent()).toBe(dollars(1500));
          expect(await alice.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
            true,
          );
          expect(alice.errors).toEqual([]);
          await alice.context.close();
        },
        BROWSER_TEST_TIMEOUT,
      );

      it(
        'after the gateway is killed and restarted mid-auction, every window shows the price bid meanwhile, then later bids',
        async () => {
          const auction = await createAuction(`Gateway restart ${kind} ${Date.now()}`);
          // Alice watches the room, the admin the list; both reconnect fast (200 ms) once the gateway is back.
          const url = clientUrl(stack.apiUrl, { retry: 200 });
          const room = await openPage(browser);
          const list = await openPage(browser);
          const roomSnapshots = recordSnapshots(room.page);
          const listSnapshots = recordSnapshots(list.page);
          await Promise.all([
            signInWithDemoButton(room.page, url, 'Alice'),
            signInWithDemoButton(list.page, url, 'Admin'),
          ]);
          await openAuction(room.page, auction.title);
          await cardPrice(list.page, auction.id).waitFor();
          for (const tab of [room, list])
            await tab.page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

          await bobBids(auction, 1100);
          await priceShown(room.page, 1100);
          await cardPrice(list.page, auction.id)
            .filter({ hasText: dollars(1100) })
            .waitFor();
          const snapshotsBefore = [roomSnapshots.length, listSnapshots.length];

          // A crash: no close frame, no $disconnect; the API keeps the rows until a push answers 410.
          await stack.stopGateway('SIGKILL');
          await Promise.all([connectionStatus(room.page, 'reconnecting'), connectionStatus(list.page, 'reconnecting')]);
          await room.page.getByText('Live updates paused while reconnecting').waitFor();
          for (const amountCents of [1250, 1400, 1725]) await bobBids(auction, amountCents);
          const truth = await priceNow(auction);
          expect(truth).toMatchObject({ currentPriceCents: 1725, bidCount: 4 });

          // The REST reloads each view makes after the reconnect are answered now but delivered late, after a
          // later bid: the snapshot alone must show the fresh price, and a late answer must not take it back.
          const heldRoom = await holdAnswers(room.page, new RegExp(`/auctions/${auction.id}$`));
          const heldList = await holdAnswers(list.page, /\/auctions$/);
          await stack.startGateway();
          await Promise.all([connectionStatus(room.page, 'connected'), connectionStatus(list.page, 'connected')]);
          await priceShown(room.page, truth.currentPriceCents);
          await cardPrice(list.page, auction.id)
            .filter({ hasText: dollars(truth.currentPriceCents) })
            .waitFor();
          await room.page
            .getByTestId('bid-history')
            .locator('li')
            .first()
            .filter({ hasText: dollars(1725) })
            .waitFor();
          await room.page.getByText('Live updates paused while reconnecting').waitFor({ state: 'hidden' });
          // Each window subscribed again on its new connection and got the fresh snapshot; the reloads are held.
          await waitFor(() => {
            for (const [snapshots, before] of [
              [roomSnapshots, snapshotsBefore[0]!],
              [listSnapshots, snapshotsBefore[1]!],
            ] as const)
              expect(snapshots.slice(before)).toContainEqual({ auctionId: auction.id, seq: 4, priceCents: 1725 });
            expect([heldRoom.held, heldList.held]).toEqual([1, 1]);
          });
          await screenshot(room.page, `${kind}-room-after-gateway-restart`);

          // Later bids keep arriving on the new connections (they reach subscribers only) ...
          await bobBids(auction, 2000);
          await priceShown(room.page, 2000);
          await cardPrice(list.page, auction.id)
            .filter({ hasText: dollars(2000) })
            .waitFor();
          await room.page.getByTestId('leader').filter({ hasText: 'Bob leads.' }).waitFor();
          // ... and the late answers (1725) are folded in without taking the price back.
          await Promise.all([
            countRenders(room.page, '[data-testid="bid-history"]'),
            countRenders(list.page, '[data-testid="auction-list"]'),
          ]);
          await Promise.all([heldRoom.release(), heldList.release()]);
          await Promise.all([rendered(room.page), rendered(list.page)]);
          expect((await priceNow(auction)).currentPriceCents).toBe(2000);
          expect(await room.page.getByTestId('current-price').textContent()).toBe(dollars(2000));
          expect(await cardPrice(list.page, auction.id).textContent()).toBe(dollars(2000));
          expect(
            await list.page.locator(`li[data-auction-id="${auction.id}"] .auction-card__meta`).textContent(),
          ).toMatch(/^5 bids/);
          for (const tab of [room, list]) {
            expect(await tab.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
              true,
            );
            expect(tab.errors).toEqual([]);
          }
          await Promise.all([room.context.close(), list.context.close()]);
        },
        BROWSER_TEST_TIMEOUT,
      );

      it(
        "the admin console shows each connection's subscriptions in its detail, as they change",
        async () => {
          const clock = await createAuction(`Console clock ${kind} ${Date.now()}`);
          const vase = await createAuction(`Console vase ${kind} ${Date.now()}`);
          const alice = await openPage(browser);
          const admin = await openPage(browser);
          await signInWithDemoButton(alice.page, clientUrl(stack.apiUrl), 'Alice');
          await signInWithDemoButton(admin.page, clientUrl(stack.apiUrl, { refresh: 500 }), 'Admin');
          await openAuction(alice.page, clock.title);
          const aliceConnection = (await alice.page
            .getByTestId('connection-status')
            .getAttribute('data-connection-id'))!;
          expect(aliceConnection).toBeTruthy();

          await admin.page.getByRole('link', { name: 'Admin', exact: true }).click();
          const detail = admin.page.getByTestId('connection-detail');
          const subscriptions = detail.getByTestId('connection-subscriptions');
          /** The auction ids the detail lists, once they equal what the API says the connection watches. */
          const shownMatchesApi = async (expected: (ids: string[]) => void) =>
            waitFor(
              async () => {
                const shown = await subscriptions
                  .locator('li')
                  .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.auctionId!));
                const { status, body } = await apiJson<{ subscriptions: unknown[] }>(
                  stack,
                  // Connection ids are base64, as on AWS: '/' and '+' must be escaped in the path.
                  `/admin/connections/${encodeURIComponent(aliceConnection)}`,
                  { token: adminToken },
                );
                // The message says whether Alice's page moved to another connection meanwhile.
                const nowOnPage = await alice.page.getByTestId('connection-status').getAttribute('data-connection-id');
                expect(status, `read ${aliceConnection}, the page now shows ${nowOnPage}`).toBe(200);
                expect(shown.sort()).toEqual(body.subscriptions.map(String).sort());
                expected(shown);
              },
              { timeout: 15_000, interval: 200 },
            );

          // Alice's room watches its auction, and nothing else once the list she came from is gone.
          const details = admin.page.getByRole('button', {
            name: `Details of connection ${aliceConnection} of alice@gavel.test`,
          });
          await details.click();
          expect(await details.getAttribute('aria-expanded')).toBe('true');
          await detail.getByRole('heading', { name: `Connection ${aliceConnection}` }).waitFor();
          await detail.getByText(/^connected .+, last active /).waitFor();
          await shownMatchesApi((ids) => expect(ids).toEqual([String(clock.id)]));
          expect(await subscriptions.getByRole('link', { name: clock.title }).getAttribute('href')).toBe(
            `#/auctions/${clock.id}`,
          );
          await detail.getByRole('heading', { name: 'Watching 1 auction' }).waitFor();
          await screenshot(admin.page, `${kind}-admin-connection-detail`, true);

          // She moves to another room: the detail follows on the console's next refresh.
          await alice.page.evaluate((id) => (location.hash = `#/auctions/${id}`), String(vase.id));
          await alice.page.getByRole('heading', { level: 1, name: vase.title }).waitFor();
          await shownMatchesApi((ids) => expect(ids).toEqual([String(vase.id)]));
          // Back on the list she watches the open auctions on it, both of these among them.
          await alice.page.getByRole('link', { name: '← All auctions' }).click();
          await alice.page.getByRole('link', { name: clock.title }).waitFor();
          await shownMatchesApi((ids) =>
            expect(ids).toEqual(expect.arrayContaining([String(clock.id), String(vase.id)])),
          );

          // The admin's own page watches nothing; Hide closes the panel.
          const adminConnection = (await admin.page
            .getByTestId('connection-status')
            .getAttribute('data-connection-id'))!;
          await admin.page
            .getByRole('button', { name: `Details of connection ${adminConnection} of admin@gavel.test` })
            .click();
          await detail.getByRole('heading', { name: `Connection ${adminConnection}` }).waitFor();
          await detail.getByRole('heading', { name: 'Watching 0 auctions' }).waitFor();
          expect(await details.getAttribute('aria-expanded')).toBe('false');
          await detail.getByRole('button', { name: 'Hide' }).click();
          await detail.waitFor({ state: 'hidden' });

          // A closed connection: its detail says so instead of showing stale subscriptions.
          await details.click();
          await shownMatchesApi((ids) => expect(ids.length).toBeGreaterThanOrEqual(2));
          await admin.page
            .locator(`tr[data-connection-id="${aliceConnection}"]`)
            .getByRole('button', { name: /^Close connection/ })
            .click();
          await detail.getByText('This connection is no longer registered.').waitFor();
          expect(await detail.locator('li').count()).toBe(0);
          expect(alice.errors).toEqual([]);
          expect(admin.errors).toEqual([]);
          await Promise.all([alice.context.close(), admin.context.close()]);
        },
        BROWSER_TEST_TIMEOUT,
      );
    });
  },
);
