import { h } from '../lib/dom.js';
import type { ConnectionStatus, LiveSocket } from '../lib/live-socket.js';

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  stopped: 'Not connected',
};

const HINTS: Record<ConnectionStatus, string> = {
  connecting: 'Opening the live connection',
  connected: 'Bids and notifications arrive live',
  reconnecting: 'Connection lost: retrying, nothing you miss is lost',
  offline: 'Your device is offline: updates resume when it is back',
  stopped: 'Sign in to receive live updates',
};

/** Connected / reconnecting / offline, announced politely, with a "retry now" for the impatient. */
export function connectionIndicator(socket: LiveSocket): { element: HTMLElement; dispose(): void } {
  const label = h('span', { class: 'conn__label' });
  const retry = h(
    'button',
    { type: 'button', class: 'conn__retry', onclick: () => socket.reconnectNow() },
    'Retry now',
  );
  const element = h(
    'div',
    { class: 'conn', 'data-testid': 'connection-status' },
    h('span', { class: 'conn__dot', 'aria-hidden': 'true' }),
    h('span', { role: 'status', 'aria-live': 'polite' }, label),
    retry,
  );
  const dispose = socket.status.subscribe((status) => {
    element.dataset.status = status;
    // The connection id helps support find this tab in the admin console.
    const id = status === 'connected' ? socket.connectionId : null;
    if (id) element.dataset.connectionId = id;
    else delete element.dataset.connectionId;
    element.title = id ? `${HINTS[status]} (connection ${id})` : HINTS[status];
    label.textContent = LABELS[status];
    retry.hidden = status !== 'reconnecting' && status !== 'offline';
  });
  return { element, dispose };
}
