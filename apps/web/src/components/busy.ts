import { ApiError } from '../lib/api-client.js';

/** The user-facing messages of any failure. */
export function messagesOf(error: unknown): string[] {
  if (error instanceof ApiError) return error.messages;
  return [error instanceof Error ? error.message : String(error)];
}

/** Disables a button and shows progress while `work` runs; restores it after. */
export async function busy(button: HTMLButtonElement, label: string, work: () => Promise<void>): Promise<void> {
  const original = [...button.childNodes];
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = label;
  try {
    await work();
  } finally {
    if (button.isConnected) {
      button.replaceChildren(...original);
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
}
