/**
 * Signing in and registering in a real browser against the whole stack: inline validation, the API's
 * refusals shown where they belong, and a live connection once signed in.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { databaseKinds } from '../support/databases.js';
import { apiJson, startStack, type Stack } from '../support/stack.js';
import { BROWSER_TEST_TIMEOUT, hasChromium, launchChromium, openPage, screenshot } from './support/chromium.js';
import { clientUrl, connectionStatus, signInWithDemoButton } from './support/gavel-pages.js';

(!hasChromium ? describe.skip : describe)(
  'sign-in page in chromium (skipped when /usr/bin/chromium is missing: apt-get install -y chromium)',
  () => {
    describe.each(databaseKinds())('on %s', (kind) => {
      let stack: Stack;
      let browser: Browser;

      beforeAll(async () => {
        [stack, browser] = await Promise.all([startStack({ database: kind }), launchChromium()]);
      }, 120_000);

      afterAll(async () => {
        await browser?.close();
        await stack?.stop();
      }, 120_000);

      it(
        'offers the demo logins on a development page, refuses a wrong password inline, and signs in',
        async () => {
          const { page, context, errors } = await openPage(browser);
          await page.goto(clientUrl(stack.apiUrl));
          for (const name of ['Alice', 'Bob', 'Admin'])
            await page.getByRole('button', { name: new RegExp(`Sign in as ${name}`) }).waitFor();
          await screenshot(page, `${kind}-sign-in`);

          await page.getByRole('button', { name: 'Sign in', exact: true }).click();
          await page.getByText('Enter your email address').waitFor();
          expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');

          await page.getByLabel('Email').fill('alice@gavel.test');
          await page.getByLabel('Password').fill('not-her-password');
          await page.getByLabel('Password').press('Enter');
          await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();

          await page.getByLabel('Password').fill('gavel-demo');
          await page.getByRole('button', { name: 'Sign in', exact: true }).click();
          await connectionStatus(page, 'connected');
          expect(await page.getByTestId('signed-in-as').textContent()).toBe('Alice');

          // A reload keeps the session and reconnects.
          await page.reload();
          await connectionStatus(page, 'connected');
          await page.getByRole('button', { name: 'Sign out', exact: true }).click();
          await page.getByRole('heading', { name: 'Sign in to Gavel' }).waitFor();
          expect(errors).toEqual([]);
          await context.close();
        },
        BROWSER_TEST_TIMEOUT,
      );

      it(
        '"Sign out everywhere" signs this device out and the other device too: its live connection is closed and its token refused',
        async () => {
          const email = `everywhere-${Date.now()}@example.test`;
          const password = 'correct horse battery';
          const registered = await apiJson(stack, '/auth/register', {
            body: { email, password, displayName: 'Everywhere' },
          });
          expect(registered.status).toBe(201);
          const devices = await Promise.all([openPage(browser), openPage(browser)]);
          for (const { page } of devices) {
            await page.goto(clientUrl(stack.apiUrl));
            await page.getByLabel('Email').fill(email);
            await page.getByLabel('Password').fill(password);
            await page.getByRole('button', { name: 'Sign in', exact: true }).click();
            await connectionStatus(page, 'connected');
          }
          const [laptop, phone] = devices;
          await laptop!.page.getByTestId('sign-out-everywhere').click();
          await laptop!.page.getByRole('heading', { name: 'Sign in to Gavel' }).waitFor();
          // The phone did nothing: its socket was closed by the API, its reconnect refused, and it shows why.
          await phone!.page.getByRole('heading', { name: 'Sign in to Gavel' }).waitFor({ timeout: 15_000 });
          await phone!.page.getByText('Your session expired').waitFor();
          for (const { errors, context } of devices) {
            expect(errors).toEqual([]);
            await context.close();
          }
        },
        BROWSER_TEST_TIMEOUT,
      );

      it(
        'the admin console finds a user by e-mail prefix, blocks (login 403) and unblocks (login works again)',
        async () => {
          const email = `console-${Date.now()}@example.test`;
          const password = 'correct horse battery';
          await apiJson(stack, '/auth/register', { body: { email, password, displayName: 'Console' } });
          const signIn = async () => (await apiJson(stack, '/auth/login', { body: { email, password } })).status;
          const { page, context, errors } = await openPage(browser);
          await signInWithDemoButton(page, clientUrl(stack.apiUrl), 'Admin');
          await page.getByRole('link', { name: 'Admin' }).click();
          await page.getByLabel('E-mail').fill(email.slice(0, 12));
          await page.getByRole('button', { name: 'Find user' }).click();
          const row = page.getByTestId('user-result').filter({ hasText: email });
          await row.getByText('active · offline · 0 connections').waitFor();
          await row.getByRole('button', { name: 'Block' }).click();
          await page.getByText(`${email} is blocked and signed out everywhere.`).waitFor();
          await row.getByText('blocked · offline').waitFor();
          expect(await signIn()).toBe(403);
          await row.getByRole('button', { name: 'Unblock' }).click();
          await row.getByText('active · offline').waitFor();
          expect(await signIn()).toBe(200);
          expect(errors).toEqual([]);
          await context.close();
        },
        BROWSER_TEST_TIMEOUT,
      );

      it(
        'registers a new account, validating fields before sending and showing a taken email at its field',
        async () => {
          const { page, context, errors } = await openPage(browser);
          await page.goto(`${clientUrl(stack.apiUrl)}#/register`);
          await page.getByRole('heading', { name: 'Create your Gavel account' }).waitFor();

          await page.getByLabel('Display name').fill('Carol');
          await page.getByLabel('Email').fill('carol@example.test');
          await page.getByLabel('Password').fill('short');
          await page.getByRole('button', { name: 'Create account' }).click();
          await page.getByText('Use at least 8 characters.').waitFor();

          await page.getByLabel('Email').fill('alice@gavel.test');
          await page.getByLabel('Password').fill('long-enough-password');
          await page.getByRole('button', { name: 'Create account' }).click();
          await page.getByText('An account with this email already exists').waitFor();

          await page.getByLabel('Email').fill(`carol-${kind}-${Date.now()}@example.test`);
          await page.getByRole('button', { name: 'Create account' }).click();
          await connectionStatus(page, 'connected');
          expect(await page.getByTestId('signed-in-as').textContent()).toBe('Carol');
          // Not an admin: no console link, and the console route says so.
          expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
          await page.evaluate(() => (location.hash = '#/admin'));
          await page.getByRole('heading', { name: 'Admins only' }).waitFor();
          expect(errors).toEqual([]);
          await context.close();
        },
        BROWSER_TEST_TIMEOUT,
      );
    });
  },
);
