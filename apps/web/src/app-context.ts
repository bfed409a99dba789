import type { Toaster } from './components/toaster.js';
import type { ApiClient } from './lib/api-client.js';
import type { ClientConfig } from './lib/config.js';
import type { LiveSocket } from './lib/live-socket.js';
import type { SessionStore } from './lib/session.js';

/** What every view gets: settings, REST, the live socket, the session and the toaster. */
export interface AppContext {
  config: ClientConfig;
  api: ApiClient;
  session: SessionStore;
  socket: LiveSocket;
  toaster: Toaster;
  /** Signs in with email + password and loads the user; throws ApiError. */
  signIn(email: string, password: string): Promise<void>;
  signOut(reason?: string): Promise<void>;
}

/** A mounted view: its root element and how to stop its timers and subscriptions. */
export interface View {
  element: HTMLElement;
  /** A heading to move focus to after navigation, so screen readers hear the new page. */
  title: string;
  dispose?(): void;
}
