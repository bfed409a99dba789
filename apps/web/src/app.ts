import type { NotificationEvent } from '@gavel/contracts';
import type { AppContext, View } from './app-context.js';
import { connectionIndicator } from './components/connection-indicator.js';
import { notificationBell } from './components/notification-bell.js';
import { notificationToast } from './components/notification-text.js';
import { Toaster } from './components/toaster.js';
import { ApiError, ApiClient } from './lib/api-client.js';
import type { Id, LoginAnswer, NotificationItem, Page, User } from './lib/api-types.js';
import type { ClientConfig } from './lib/config.js';
import { h, replaceChildren } from './lib/dom.js';
import { LiveSocket } from './lib/live-socket.js';
import { type ClientNotification, NotificationStore } from './lib/notification-store.js';
import { SessionStore } from './lib/session.js';
import { storage } from './lib/storage.js';
import { adminView } from './views/admin-view.js';
import { auctionListView } from './views/auction-list-view.js';
import { auctionRoomView } from './views/auction-room-view.js';
import { signInView } from './views/sign-in-view.js';

const HISTORY_PAGES = 20;

/** Wires session, REST, socket and notifications together, and routes `#/…` hashes to views. */
export function startApp(root: HTMLElement, config: ClientConfig): void {
  const session = new SessionStore();
  const toaster = new Toaster();
  const api = new ApiClient(
    config.apiBase,
    () => session.freshToken(),
    () => ctx.signOut('Your session expired. Please sign in again.'),
  );
  session.connect({
    refresh: async () => {
      try {
        return await api.post<LoginAnswer>('auth/refresh', undefined, { anonymous: true });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    me: (token) =>
      api.request<User>('GET', 'auth/me', { headers: { authorization: `Bearer ${token}` }, anonymous: true }),
    logout: () => api.post<void>('auth/logout', undefined, { anonymous: true }),
  });
  let notifications: NotificationStore | null = null;
  let sinceSent: Id | null = null;
  const socket = new LiveSocket({
    url: config.wsUrl,
    // Asked on every connect and before the token's exp: a renewed token is sent on the same connection.
    getToken: () => session.freshToken(),
    since: () => (sinceSent = notifications?.lastSeenId ?? null),
    pingIntervalMs: config.pingIntervalMs,
    pongTimeoutMs: config.pongTimeoutMs,
    minReconnectDelayMs: config.minReconnectDelayMs,
    maxReconnectDelayMs: config.maxReconnectDelayMs,
  });

  const ctx: AppContext = {
    config,
    api,
    session,
    socket,
    toaster,
    async signIn(email, password) {
      const login = await api.post<LoginAnswer>('auth/login', { email, password }, { anonymous: true });
      const user = await api.request<User>('GET', 'auth/me', {
        headers: { authorization: `Bearer ${login.accessToken}` },
        anonymous: true,
      });
      session.start(login, user);
    },
    signOut(reason) {
      // Signing out on purpose leaves no messages behind on a shared device; only the replay point stays.
      if (!reason) notifications?.forgetContent();
      return session.end(reason ?? null);
    },
  };

  // --- notifications -----------------------------------------------------------------------------------
  // A long absence replays many notifications at once: they go to the list under one summary toast.
  const TOASTS_PER_REPLAY = 3;
  let quietReplays = 0;
  socket.events.on((event) => {
    if (event.type === 'notification.read') return notifications?.markReadUpTo(event.data.upTo);
    if (event.type !== 'notification' || !notifications) return;
    const n = fromEvent(event);
    const quiet = quietReplays > 0;
    if (quiet) quietReplays--;
    if (notifications.add(n) && !quiet) toaster.show(notificationToast(n));
  });
  socket.authenticated.on(({ recovered, replayed, unread }) => {
    quietReplays = 0;
    // The server's unread count sets the bell (reads on other devices while this one was away included).
    if (typeof unread === 'number') notifications?.applyAuth(unread, typeof replayed === 'number' ? replayed : 0);
    if (typeof replayed === 'number' && replayed > TOASTS_PER_REPLAY) {
      quietReplays = replayed;
      toaster.show({
        title: `${replayed} notifications while you were away`,
        body: 'They are in your notification list (the bell).',
        tone: 'info',
      });
    }
    // More was missed than one replay carries: fetch the rest of the gap over REST.
    if (recovered === false && notifications) void loadHistory(notifications, sinceSent, false);
  });
  socket.rejected.on(() => ctx.signOut('Your session expired. Please sign in again.'));
  socket.problems.on((problem) => console.warn(`[gavel] ${problem}`));

  /** Pages GET /me/notifications after `after`; the first load on a device marks that history read. */
  async function loadHistory(store: NotificationStore, after: Id | null, asRead: boolean): Promise<void> {
    let cursor: Id | null | undefined = after;
    for (let page = 0; page < HISTORY_PAGES; page++) {
      const query = new URLSearchParams({ limit: '100' });
      if (cursor !== null && cursor !== undefined) query.set('after', String(cursor));
      const answer: Page<NotificationItem> = await api.get(`me/notifications?${query}`);
      const items = answer.items.map((item) => fromItem(item, asRead));
      store.merge(items); // a gap this large was already announced by the replay's summary toast
      cursor = answer.nextCursor;
      if (cursor === null || cursor === undefined || cursor === '' || answer.items.length === 0) break;
    }
  }

  // --- shell ---------------------------------------------------------------------------------------------
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const header = h('header', { class: 'app-header' });
  replaceChildren(root, header, main, toaster.element);
  let current: View | null = null;
  let firstRoute = true;
  let headerParts: { dispose(): void }[] = [];

  function renderHeader(): void {
    for (const part of headerParts) part.dispose();
    headerParts = [];
    const user = session.current.value?.user;
    const brand = h(
      'a',
      { href: '#/', class: 'brand' },
      h('span', { class: 'brand__mark', 'aria-hidden': 'true' }, '⚖'),
      'Gavel',
    );
    if (!user || !notifications) return replaceChildren(header, h('div', { class: 'app-header__inner' }, brand));
    const indicator = connectionIndicator(socket);
    const store = notifications;
    const bell = notificationBell(store, (upTo) => {
      // Shown read at once; the server's notification.read confirms it here and tells the other tabs and devices.
      store.markReadUpTo(upTo);
      api.post('me/notifications/read', { upTo }).catch((error: unknown) => {
        console.warn('[gavel] could not mark notifications read', error);
      });
    });
    headerParts = [indicator, bell];
    const route = location.hash;
    const link = (href: string, label: string, active: boolean): HTMLElement =>
      h('a', { href, class: 'nav__link', 'aria-current': active ? 'page' : false }, label);
    replaceChildren(
      header,
      h(
        'div',
        { class: 'app-header__inner' },
        brand,
        h(
          'nav',
          { class: 'nav', 'aria-label': 'Main' },
          link('#/', 'Auctions', !route.startsWith('#/admin')),
          user.roles.includes('admin') ? link('#/admin', 'Admin', route.startsWith('#/admin')) : null,
        ),
        h(
          'div',
          { class: 'app-header__tools' },
          indicator.element,
          bell.element,
          h(
            'div',
            { class: 'user-menu' },
            h('span', { class: 'user-menu__name', 'data-testid': 'signed-in-as', title: user.email }, user.displayName),
            h(
              'button',
              { type: 'button', class: 'button button--ghost button--small', onclick: () => ctx.signOut() },
              'Sign out',
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'button button--ghost button--small',
                'data-testid': 'sign-out-everywhere',
                title: 'Revokes every sign-in of this account and closes its live connections on every device',
                // Signed out here either way; the message says when the other devices could not be signed out.
                onclick: () =>
                  api
                    .post('auth/logout-all', {})
                    .then(() => ctx.signOut())
                    .catch(() => ctx.signOut('Signing out your other devices failed; sign in and try again.')),
              },
              'Sign out everywhere',
            ),
          ),
        ),
      ),
    );
  }

  function route(): void {
    const hash = location.hash || '#/';
    if (!hash.startsWith('#/')) return; // in-page anchors such as the skip link
    const user = session.current.value?.user;
    const path = hash.slice(1);
    let next: View;
    if (!user) {
      next = signInView(ctx, path === '/register' ? 'register' : 'sign-in');
    } else {
      const room = /^\/auctions\/([^/]+)$/.exec(path);
      if (room) next = auctionRoomView(ctx, decodeURIComponent(room[1]!));
      else if (path === '/admin')
        next = user.roles.includes('admin')
          ? adminView(ctx)
          : messageView('Admins only', 'This page is for admins. Ask one to give your account the admin role.');
      else if (path === '/' || path === '/signin' || path === '/register') next = auctionListView(ctx);
      else next = messageView('Page not found', 'Nothing lives at this address.');
    }
    current?.dispose?.();
    current = next;
    replaceChildren(main, next.element);
    document.title = `${next.title} · Gavel`;
    renderHeader();
    // Move focus to the new page's heading so keyboard and screen-reader users start there.
    const heading = main.querySelector<HTMLElement>('h1');
    if (heading && !firstRoute) heading.focus({ preventScroll: true });
    firstRoute = false;
  }

  let signedInAs: string | null = null;
  // Until the first restore settles (it may refresh over the network) the page shows neither sign-in nor content.
  let restored = false;
  session.current.subscribe((s) => {
    // A renewed token for the same user changes nothing on screen: the socket sends it on its connection.
    const userKey = s ? String(s.user.id) : null;
    if (userKey === signedInAs) return;
    signedInAs = userKey;
    socket.stop();
    notifications = null;
    if (s) {
      const store = new NotificationStore(storage, s.user.id);
      notifications = store;
      void (async () => {
        // A device without a baseline reads the history once, so `since` never replays old news as new.
        if (!store.hasBaseline) {
          try {
            await loadHistory(store, null, true);
            store.setBaseline(store.lastSeenId);
          } catch (error) {
            console.warn('[gavel] could not load notification history', error);
          }
        }
        if (notifications === store) socket.start();
      })();
    }
    if (restored) route();
  });
  addEventListener('hashchange', () => restored && route());

  // The skip link must not become a route.
  document.querySelector('.skip-link')?.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });

  // Another tab renewed the token or signed out: follow it.
  addEventListener('storage', (event) => {
    if (event.key === null || event.key === 'gavel.session') session.syncFromStorage();
  });

  void session.restore().then(() => {
    restored = true;
    route();
  });
}

function messageView(title: string, text: string): View {
  return {
    title,
    element: h(
      'section',
      { class: 'card empty-state' },
      h('h1', { tabindex: '-1' }, title),
      h('p', null, text),
      h('a', { href: '#/', class: 'button' }, 'Back to auctions'),
    ),
  };
}

function fromEvent(event: NotificationEvent): Omit<ClientNotification, 'read'> {
  return {
    id: event.id,
    kind: event.data.kind,
    title: event.data.title,
    body: event.data.body ?? null,
    data: event.data.data ?? null,
    ts: event.ts,
  };
}

function fromItem(item: NotificationItem, read: boolean): ClientNotification {
  return {
    id: item.id,
    kind: item.kind,
    title: item.title,
    body: item.body ?? null,
    data: item.data ?? null,
    ts: item.createdAt ?? new Date().toISOString(),
    read: item.readAt === undefined ? read : item.readAt !== null,
  };
}
