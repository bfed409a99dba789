import type { AppContext, View } from '../app-context.js';
import { formAlert, formField } from '../components/form-field.js';
import { busy, messagesOf } from '../components/busy.js';
import { ApiError } from '../lib/api-client.js';
import type { User } from '../lib/api-types.js';
import { h } from '../lib/dom.js';

/** Seeded in development by the API (contract §4); offered only on pages served from this machine. */
export const DEMO_PASSWORD = 'gavel-demo';
export const DEMO_USERS = [
  { email: 'alice@gavel.test', name: 'Alice', role: 'bidder' },
  { email: 'bob@gavel.test', name: 'Bob', role: 'bidder' },
  { email: 'admin@gavel.test', name: 'Admin', role: 'admin console' },
] as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function signInView(ctx: AppContext, mode: 'sign-in' | 'register'): View {
  const alert = formAlert();
  if (ctx.session.signOutReason) alert.show([ctx.session.signOutReason], 'info');
  const form = mode === 'sign-in' ? signInForm(ctx, alert) : registerForm(ctx, alert);
  const title = mode === 'sign-in' ? 'Sign in to Gavel' : 'Create your Gavel account';
  const element = h(
    'div',
    { class: 'auth-page' },
    h(
      'section',
      { class: 'card auth-card', 'aria-labelledby': 'auth-title' },
      h('h1', { id: 'auth-title', tabindex: '-1' }, title),
      h('p', { class: 'muted' }, 'Bid live: every bid reaches every screen the moment it is placed.'),
      alert.element,
      form,
      mode === 'sign-in'
        ? h('p', { class: 'auth-card__switch' }, 'New here? ', h('a', { href: '#/register' }, 'Create an account'))
        : h('p', { class: 'auth-card__switch' }, 'Already registered? ', h('a', { href: '#/signin' }, 'Sign in')),
    ),
    ctx.config.demoMode ? demoPanel(ctx, alert) : null,
  );
  return { element, title };
}

function signInForm(ctx: AppContext, alert: ReturnType<typeof formAlert>): HTMLFormElement {
  const email = formField({ label: 'Email', name: 'email', type: 'email', autocomplete: 'username' });
  const password = formField({
    label: 'Password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
  });
  const submit = h('button', { type: 'submit', class: 'button button--primary button--wide' }, 'Sign in');
  const form = h('form', { class: 'form', novalidate: true }, email.element, password.element, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.show(null);
    const problems = [
      check(email, EMAIL.test(email.input.value.trim()), 'Enter your email address, e.g. alice@example.com.'),
      check(password, password.input.value.length > 0, 'Enter your password.'),
    ];
    if (problems.some(Boolean)) return focusFirstInvalid(form);
    await busy(submit, 'Signing in…', async () => {
      try {
        await ctx.signIn(email.input.value.trim(), password.input.value);
      } catch (error) {
        alert.show(
          error instanceof ApiError && error.status === 401 ? ['Wrong email or password.'] : messagesOf(error),
        );
        password.input.select();
      }
    });
  });
  return form;
}

function registerForm(ctx: AppContext, alert: ReturnType<typeof formAlert>): HTMLFormElement {
  const displayName = formField({
    label: 'Display name',
    name: 'displayName',
    autocomplete: 'nickname',
    hint: 'Shown to other bidders next to your bids.',
  });
  const email = formField({ label: 'Email', name: 'email', type: 'email', autocomplete: 'email' });
  const password = formField({
    label: 'Password',
    name: 'password',
    type: 'password',
    autocomplete: 'new-password',
    hint: 'At least 8 characters.',
  });
  const submit = h('button', { type: 'submit', class: 'button button--primary button--wide' }, 'Create account');
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    displayName.element,
    email.element,
    password.element,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.show(null);
    const problems = [
      check(displayName, displayName.input.value.trim().length > 0, 'Enter the name other bidders will see.'),
      check(email, EMAIL.test(email.input.value.trim()), 'Enter a valid email address.'),
      check(password, password.input.value.length >= 8, 'Use at least 8 characters.'),
    ];
    if (problems.some(Boolean)) return focusFirstInvalid(form);
    await busy(submit, 'Creating account…', async () => {
      try {
        await ctx.api.post<User>(
          'auth/register',
          {
            email: email.input.value.trim(),
            password: password.input.value,
            displayName: displayName.input.value.trim(),
          },
          { anonymous: true },
        );
        await ctx.signIn(email.input.value.trim(), password.input.value);
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          email.setError('An account with this email already exists. Sign in instead?');
          email.input.focus();
        } else {
          alert.show(messagesOf(error));
        }
      }
    });
  });
  return form;
}

function demoPanel(ctx: AppContext, alert: ReturnType<typeof formAlert>): HTMLElement {
  const buttons = DEMO_USERS.map((demo) =>
    h(
      'button',
      {
        type: 'button',
        class: 'button demo-button',
        'data-demo': demo.email,
        onclick: async (event: MouseEvent) => {
          const button = event.currentTarget as HTMLButtonElement;
          alert.show(null);
          await busy(button, 'Signing in…', async () => {
            try {
              await ctx.signIn(demo.email, DEMO_PASSWORD);
            } catch (error) {
              alert.show(
                error instanceof ApiError && error.status === 401
                  ? [`${demo.email} is not available: is the API running in development mode?`]
                  : messagesOf(error),
              );
            }
          });
        },
      },
      h('span', { class: 'demo-button__name' }, `Sign in as ${demo.name}`),
      h('span', { class: 'demo-button__meta' }, `${demo.email} · ${demo.role}`),
    ),
  );
  return h(
    'section',
    { class: 'card demo-card', 'aria-labelledby': 'demo-title' },
    h('h2', { id: 'demo-title' }, 'Demo accounts'),
    h(
      'p',
      { class: 'muted' },
      'Development only. Password ',
      h('code', null, DEMO_PASSWORD),
      '. Open two windows to bid against yourself.',
    ),
    h('div', { class: 'demo-buttons' }, buttons),
  );
}

function check(field: ReturnType<typeof formField>, ok: boolean, message: string): boolean {
  field.setError(ok ? null : message);
  return !ok;
}

function focusFirstInvalid(form: HTMLFormElement): void {
  form.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
}
