/**
 * The web client's session against the whole stack with 20-second access tokens (SQLite and MariaDB): the
 * page renews its token on the same live connection, two tabs share one refresh cookie without signing each
 * other out, read state follows every tab live, and the refresh cookie keeps the user signed in across reloads.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { databaseKinds } from '../support/databases.js';
import { apiJson, STACK_SECRETS, startStack, type Stack } from '../support/stack.js';
import { BROWSER_TEST_TIMEOUT, hasChromium, launchChromium, openPage } from './support/chromium.js';
import { clientUrl, connectionStatus } from './support/gavel-pages.js';

const TOKEN_SECONDS = 20;
const PASSWORD = 'correct horse battery';

interface Account {
  id: number | string;
  email: string;
}

(!hasChromium ? describe.skip : describe)(
  'session refresh and read state in chromium (skipped when /usr/bin/chromium is missing)',
  () => {
    describe.each(databaseKinds())('on %s', (kind) => {
      let stack: Stack;
      let browser: Browser;

      beforeAll(async () => {
        [stack, browser] = await Promise.all([
          startStack({ database: kind, apiEnv: { JWT_EXPIRES_IN: `${TOKEN_SECONDS}s` } }),
          launchChromium(),
        ]);
      }, 120_000);

      afterAll(async () => {
        await browser?.close();
        await stack?.stop();
      }, 120_000);

      async function register(name: string): Promise<Account> {
        const email = `${name}-${kind}-${Date.now()}@example.test`;
        const answer = await apiJson<{ id: number | string }>(stack, '/auth/register', {
          body: { email, password: PASSWORD, displayName: name },
        });
        expect(answer.status).toBe(201);
        return { id: answer.body.id, email };
      }

      async function signIn(page: Page, account: Account): Promise<void> {
        await page.goto(clientUrl(stack.apiUrl));
        await page.getByLabel('Email').fill(account.email);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await connectionStatus(page, 'connected');
      }

      /** The user's connections as the API sees them (a token of its own: a separate sign-in). */
      async function connections(account: Account): Promise<string[]> {
        const login = await apiJson<{ accessToken: string }>(stack, '/auth/login', {
          body: { email: account.email, password: PASSWORD },
        });
        const answer = await apiJson<{ connectionId: string }[]>(stack, '/me/connections', {
          token: login.body.accessToken,
        });
        expect(answer.status).toBe(200);
        return answer.body.map((c) => c.connectionId).sort();
      }

      async function notify(account: Account, title: string): Promise<number> {
        const answer = await apiJson<{ deliveredTo: number }>(stack, '/notifications', {
          body: { userId: account.id, kind: 'message', title },
          headers: { 'x-api-key': STACK_SECRETS.SERVICE_API_KEY },
        });
        expect(answer.status).toBe(202);
        return answer.body.deliveredTo;
      }

      /** Records every state the connection indicator shows from now on (in the page, so nothing is missed). */
      async function recordStatuses(page: Page): Promise<() => Promise<string[]>> {
        await page.evaluate(() => {
          const seen: string[] = [];
          (window as unknown as { statuses: string[] }).statuses = seen;
          const note = (): void => {
            const status = document.querySelector<HTMLElement>('[data-testid="connection-status"]')?.dataset.status;
            if (status && seen[seen.length - 1] !== status) seen.push(status);
          };
          note();
          new MutationObserver(note).observe(document.body, {
            subtree: true,
            childList: true,
            attributes: true,
            attributeFilter: ['data-status'],
          });
        });
        return () => page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
      }

      /** Every answer to POST /auth/refresh a page got. */
      function refreshAnswers(page: Page): number[] {
        const statuses: number[] = [];
        page.on('response', (response) => {
          if (response.url().endsWith('/auth/refresh')) statuses.push(response.status());
        });
        return statuses;
      }

      /** Waits until the page's clock passes `at` (epoch ms): these scenarios are about tokens running out. */
      async function until(page: Page, at: number): Promise<void> {
        await page.waitForFunction((t) => Date.now() > t, at, { timeout: at - Date.now() + 20_000, polling: 250 });
      }

      async function secondTab(context: BrowserContext, errors: string[]): Promise<Page> {
        const page = await context.newPage();
        page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
        await page.goto(clientUrl(stack.apiUrl));
        await connectionStatus(page, 'connected');
        return page;
      }

      it(
        'stays Live past the first token’s exp on the same connection and keeps receiving notifications',
        async () => {
          const account = await register('renew');
          const { page, context, errors } = await openPage(browser);
          const refreshes = refreshAnswers(page);
          await signIn(page, account);
          const statuses = await recordStatuses(page);
          const firstExp = await page.evaluate(
            () => (JSON.parse(localStorage.getItem('gavel.session')!) as { expiresAt: number }).expiresAt,
          );
          const before = await connections(account);
          expect(before).toHaveLength(1);
          expect(await page.getByTestId('connection-status').getAttribute('data-connection-id')).toBe(before[0]);

          // Past the first token's exp plus the API's expiry sweep: an unrenewed connection would be closed by now.
          await until(page, firstExp + 3_000);
          expect(refreshes.length).toBeGreaterThan(0);
          expect(refreshes).toEqual(refreshes.map(() => 200));
          expect(await notify(account, 'After the first token ran out')).toBe(1);
          await page.locator('.toast', { hasText: 'After the first token ran out' }).waitFor();
          await connectionStatus(page, 'connected');
          expect(await connections(account)).toEqual(before);
          expect(await statuses()).toEqual(['connected']);
          expect(errors).toEqual([]);
          await context.close();
        },
        BROWSER_TEST_TIMEOUT,
      );

      it(
        'two tabs of one user both survive their refreshes (one cookie, no reuse) and stay signed in and Live',
        async () => {
          const account = await register('tabs');
          const { page: tabA, context, errors } = await openPage(browser);
          const refreshesA = refreshAnswers(tabA);
          await signIn(tabA, account);
          const tabB = await secondTab(context, errors);
          const refreshesB = refreshAnswers(tabB);
          const [statusesA, statusesB] = await Promise.all([recordStatuses(tabA), recordStatuses(tabB)]);
          const start = Date.now();

          await until(tabA, start + 2 * TOKEN_SECONDS * 1000 + 2_000);
          for (const tab of [tabA, tabB]) {
            await connectionStatus(tab, 'connected');
            expect(await tab.getByTestId('signed-in-as').textContent()).toBe('tabs');
          }
          // Both renewed, every refresh was accepted (a reused cookie would have answered 401 and revoked both).
          expect(refreshesA.length + refreshesB.length).toBeGreaterThanOrEqual(2);
          expect([...refreshesA, ...refreshesB]).toEqual([...refreshesA, ...refreshesB].map(() => 200));
          expect(await statusesA()).toEqual(['connected']);
          expect(await statusesB()).toEqual(['connected']);
          expect(await connections(account)).toHaveLength(2);
          expect(await notify(account, 'Both tabs')).toBe(2);
          for (const tab of [tabA, tabB]) await tab.locator('.toast', { hasText: 'Both tabs' }).waitFor();
          expect(errors).toEqual([]);
          await context.close();
        },
        BROWSER_TEST_TIMEOUT,
      );

      it(
        'auth.ok sets the bell’s count; opening the bell in tab A marks read and tab B’s count drops without reload',
        async () => {
          const account = await register('reader');
          await notify(account, 'Waiting one');
          await notify(account, 'Waiting two');
          const { page: tabA, context, errors } = await openPage(browser);
          await signIn(tabA, account);
          const badge = (tab: Page) => tab.getByTestId('unread-count');
          await badge(tabA).filter({ hasText: /^2$/ }).waitFor();
          const tabB = await secondTab(context, errors);
          await badge(tabB).filter({ hasText: /^2$/ }).waitFor();
          expect(await notify(account, 'Live one')).toBe(2);
          for (const tab of [tabA, tabB]) await badge(tab).filter({ hasText: /^3$/ }).waitFor();

          await tabA.getByTestId('notification-bell').click();
          await tabA.getByTestId('notification-list').locator('li', { hasText: 'Live one' }).waitFor();
          await badge(tabA).waitFor({ state: 'hidden' });
          await badge(tabB).waitFor({ state: 'hidden' });
          expect(await tabB.getByTestId('notification-bell').getAttribute('aria-label')).toBe(
            'Notifications, none unread',
          );
          // The server agrees: every notification has its readAt, and a new page starts at 0.
          const login = await apiJson<{ accessToken: string }>(stack, '/auth/login', {
            body: { email: account.email, password: PASSWORD },
          });
          const list = await apiJson<{ items: { readAt: string | null }[] }>(stack, '/me/notifications', {
            token: login.body.accessToken,
          });
          expect(list.body.items).toHaveLength(3);
          expect(list.body.items.every((item) => item.readAt !== null)).toBe(true);
          await tabB.reload();
          await connectionStatus(tabB, 'connected');
          expect(await badge(tabB).isHidden()).toBe(true);
          expect(errors).toEqual([]);
          await context.close();
        },
        BROWSER_TEST_TIMEOUT,
      );

      it(
        'a reload keeps the user signed in with the refresh cookie alone; after sign out a reload shows sign-in',
        async () => {
          const account = await register('reload');
          const { page, context, errors } = await openPage(browser);
          await signIn(page, account);
          // Only the HttpOnly cookie is left: the page must get a new access token with it.
          await page.evaluate(() => localStorage.removeItem('gavel.session'));
          await page.reload();
          await connectionStatus(page, 'connected');
          expect(await page.getByTestId('signed-in-as').textContent()).toBe('reload');
          const cookie = (await context.cookies()).find((c) => c.name === 'gavel_refresh');
          expect(cookie?.httpOnly).toBe(true);

          await page.getByRole('button', { name: 'Sign out', exact: true }).click();
          await page.getByRole('heading', { name: 'Sign in to Gavel' }).waitFor();
          // The API revoked and cleared the cookie: nothing is left that could sign the browser in again.
          expect((await context.cookies()).find((c) => c.name === 'gavel_refresh')).toBeUndefined();
          const reuse = await fetch(`${stack.apiUrl}/auth/refresh`, {
            method: 'POST',
            headers: { cookie: `gavel_refresh=${cookie!.value}` },
          });
          expect(reuse.status).toBe(401);
          await page.reload();
          await page.getByRole('heading', { name: 'Sign in to Gavel' }).waitFor();
          expect(errors).toEqual([]);
          await context.close();
        },
        BROWSER_TEST_TIMEOUT,
      );
    });
  },
);
