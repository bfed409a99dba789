import { h } from '../lib/dom.js';

export interface FieldOptions {
  label: string;
  name: string;
  type?: string;
  autocomplete?: string;
  hint?: string;
  inputmode?: string;
  value?: string;
}

let nextId = 0;

/** A labelled input with its hint and inline error tied to it (aria-describedby, aria-invalid). */
export function formField(options: FieldOptions): {
  element: HTMLElement;
  input: HTMLInputElement;
  setError(message: string | null): void;
} {
  const id = `f-${options.name}-${++nextId}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const input = h('input', {
    id,
    name: options.name,
    type: options.type ?? 'text',
    autocomplete: options.autocomplete,
    inputmode: options.inputmode,
    value: options.value,
    'aria-describedby': options.hint ? `${hintId} ${errorId}` : errorId,
  });
  const error = h('p', { id: errorId, class: 'field__error', hidden: true });
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, options.label),
    input,
    options.hint ? h('p', { id: hintId, class: 'field__hint' }, options.hint) : null,
    error,
  );
  return {
    element,
    input,
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = !message;
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

/** A form-level message box: errors are announced at once (role=alert). */
export function formAlert(): { element: HTMLElement; show(messages: string[] | null, tone?: 'error' | 'info'): void } {
  const element = h('div', { class: 'form-alert', role: 'alert', hidden: true });
  return {
    element,
    show(messages, tone = 'error') {
      element.replaceChildren();
      element.hidden = !messages?.length;
      element.dataset.tone = tone;
      if (!messages?.length) return;
      if (messages.length === 1) element.textContent = messages[0]!;
      else
        element.append(
          h(
            'ul',
            null,
            messages.map((m) => h('li', null, m)),
          ),
        );
    },
  };
}
