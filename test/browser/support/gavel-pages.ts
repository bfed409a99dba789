/** What a user does in the Gavel web client, as Playwright steps (the tests read like the scenario). */
import type { Page } from 'playwright-core';

/**
 * The page's own tuning parameters. There is no WebSocket URL among them: the API names it
 * (PUBLIC_WEBSOCKET_URL, or the gateway's port on the page's host), so a test that needs another one
 * starts its stack with that variable.
 */
export interface ClientUrlOptions {
  /** Smallest reconnect delay, ms. */
  retry?: number;
  /** Admin console refresh period, ms. */
  refresh?: number;
  ping?: number;
}

export function clientUrl(apiUrl: string, options: ClientUrlOptions = {}): string {
  const query = new URLSearchParams();
  if (options.retry) query.set('retry', String(options.retry));
  if (options.refresh) query.set('refresh', String(options.refresh));
  if (options.ping) query.set('ping', String(options.ping));
  const search = String(query);
  return `${apiUrl.replace(/\/$/, '')}/${search ? `?${search}` : ''}`;
}

/** Signs in with the one-click demo button and waits until the live connection is authenticated. */
export async function signInWithDemoButton(page: Page, url: string, name: 'Alice' | 'Bob' | 'Admin'): Promise<void> {
  try {
    await page.goto(url);
    await page.getByRole('button', { name: new RegExp(`Sign in as ${name}`) }).click();
    await connectionStatus(page, 'connected');
  } catch (error) {
    // Say what the page showed instead: a timeout alone does not tell why.
    const shown = await page
      .locator('body')
      .innerText()
      .catch(() => '(page unreadable)');
    throw new Error(
      `signing in as ${name} at ${url} failed: ${(error as Error).message}\npage text:\n${shown.slice(0, 1500)}`,
      { cause: error },
    );
  }
}

export async function connectionStatus(page: Page, status: 'connected' | 'reconnecting' | 'offline'): Promise<void> {
  await page.locator(`[data-testid="connection-status"][data-status="${status}"]`).waitFor();
}

export async function openAuction(page: Page, auctionTitle: string): Promise<void> {
  await page.getByRole('link', { name: auctionTitle }).click();
  await page.getByRole('heading', { level: 1, name: auctionTitle }).waitFor();
  await page.getByTestId('current-price').waitFor();
}

/** The price the room shows, in cents ("$1,234.50" → 123450). */
export async function shownPriceCents(page: Page): Promise<number> {
  const text = (await page.getByTestId('current-price').textContent()) ?? '';
  return Math.round(Number(text.replace(/[^0-9.]/g, '')) * 100);
}

export function dollars(cents: number): string {
  return `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export async function placeBid(page: Page, cents: number): Promise<void> {
  await page.getByLabel('Your bid (USD)').fill((cents / 100).toFixed(2));
  await page.getByRole('button', { name: 'Place bid' }).click();
}

/** Waits until the room shows exactly this price. */
export async function priceShown(page: Page, cents: number): Promise<void> {
  await page
    .getByTestId('current-price')
    .filter({ hasText: new RegExp(`^\\${dollars(cents)}$`) })
    .waitFor();
}
