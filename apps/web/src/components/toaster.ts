import { h } from '../lib/dom.js';

export interface Toast {
  title: string;
  body?: string | null;
  /** Styles the toast: outbid (warning), won (success), error, info. */
  tone?: 'info' | 'warning' | 'success' | 'error';
  /** The notification kind behind the toast, if any (outbid, won, …). */
  kind?: string;
  action?: { label: string; href: string };
}

const VISIBLE = 4;
const LIFETIME_MS = 8000;

/**
 * Toasts in one polite live region (screen readers read each once). They stay while hovered or
 * focused, can be dismissed, and at most four show: a burst of replayed notifications cannot bury the page.
 */
export class Toaster {
  readonly element = h('div', {
    class: 'toasts',
    'aria-live': 'polite',
    'aria-relevant': 'additions',
    'data-testid': 'toasts',
  });

  show(toast: Toast): void {
    const tone = toast.tone ?? 'info';
    const dismiss = (): void => {
      clearTimeout(timer);
      item.remove();
    };
    const item = h(
      'div',
      { class: `toast toast--${tone}`, 'data-tone': tone, 'data-kind': toast.kind },
      h(
        'div',
        { class: 'toast__text' },
        h('p', { class: 'toast__title' }, toast.title),
        toast.body ? h('p', { class: 'toast__body' }, toast.body) : null,
        toast.action
          ? h('a', { class: 'toast__action', href: toast.action.href, onclick: dismiss }, toast.action.label)
          : null,
      ),
      h(
        'button',
        { type: 'button', class: 'toast__close', 'aria-label': `Dismiss: ${toast.title}`, onclick: dismiss },
        '×',
      ),
    );
    let timer = setTimeout(dismiss, LIFETIME_MS);
    const hold = (): void => clearTimeout(timer);
    const release = (): void => {
      clearTimeout(timer);
      timer = setTimeout(dismiss, LIFETIME_MS / 2);
    };
    item.addEventListener('mouseenter', hold);
    item.addEventListener('focusin', hold);
    item.addEventListener('mouseleave', release);
    item.addEventListener('focusout', release);
    this.element.append(item);
    while (this.element.childElementCount > VISIBLE) this.element.firstElementChild?.remove();
  }
}
