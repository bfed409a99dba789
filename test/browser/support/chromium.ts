/**
 * Debian's chromium driven by playwright-core (no browser download through npm). CHROMIUM_PATH overrides
 * the path; CI installs it with `apt-get install -y chromium`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

/** `extraArgs`, e.g. `--host-resolver-rules=MAP attacker.test 127.0.0.1` to give a local listener a foreign name. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/**
 * Chromium's own network logs: a refused request (401, 409 …) or a refused WebSocket handshake is logged
 * as a console error although the client handles it. Tests assert those answers on screen instead.
 */
const BROWSER_NETWORK_LOG = /^(Failed to load resource: |WebSocket connection to '.*' failed: )/;

/** A page that records uncaught errors and console errors, so a test can assert the client stayed clean. */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', ...options });
  // Generous (the machine may be busy with other suites) but bounded: a missing update fails, never hangs.
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !BROWSER_NETWORK_LOG.test(message.text()))
      errors.push(`console: ${message.text()}`);
  });
  return { context, page, errors };
}

/** Per-test limit for browser scenarios: several page steps, each bounded by the 20 s action timeout. */
export const BROWSER_TEST_TIMEOUT = 120_000;

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'browser');

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // Let toasts and the price highlight finish their entry animations.
  await page.waitForTimeout(400);
  await page.screenshot({ path, fullPage });
  return path;
}
