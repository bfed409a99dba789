import type { AppContext, View } from '../app-context.js';
import { busy, messagesOf } from '../components/busy.js';
import { formAlert, formField } from '../components/form-field.js';
import { ApiError } from '../lib/api-client.js';
import type {
  AdminConnection,
  AdminConnectionDetail,
  Auction,
  Id,
  NotificationAccepted,
  Page,
} from '../lib/api-types.js';
import { type Child, h, replaceChildren } from '../lib/dom.js';
import { parseDollars } from '../lib/money.js';
import { formatAgo, formatDateTime, formatTime } from '../lib/time.js';
import { shortAgent } from '../lib/user-agent.js';

const MAX_PAGES = 5;
const PAGE_SIZE = 100;

/**
 * Admin console: live connections (refreshed while visible), one connection's details with the auctions it
 * watches, push stats, close a connection, send a notification.
 */
export function adminView(ctx: AppContext): View {
  const stats = h('dl', { class: 'stats', 'data-testid': 'admin-stats' });
  const rows = h('tbody', { 'data-testid': 'connection-rows' });
  const summary = h('p', { class: 'muted', 'data-testid': 'connection-summary' });
  const updated = h('span', { class: 'muted' });
  const announce = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const problem = formAlert();
  const refreshButton = h(
    'button',
    { type: 'button', class: 'button button--ghost', onclick: () => void refresh() },
    'Refresh',
  );
  const detail = connectionDetail(ctx, (connectionId) => select(connectionId));
  const element = h(
    'div',
    { class: 'admin' },
    h(
      'div',
      { class: 'page-head' },
      h('h1', { tabindex: '-1' }, 'Admin console'),
      h('p', { class: 'muted' }, 'Who is connected right now, and what the push pipeline did.'),
    ),
    problem.element,
    h('section', { class: 'card', 'aria-labelledby': 'stats-title' }, h('h2', { id: 'stats-title' }, 'Stats'), stats),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'connections-title' },
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'connections-title' }, 'Live connections'),
        h('div', { class: 'section-head__tools' }, updated, refreshButton),
      ),
      summary,
      h(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'connections-title' },
        h(
          'table',
          { class: 'table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              [
                'User',
                'Connection',
                'Connected since',
                'Last seen',
                'IP',
                'User agent',
                h('span', { class: 'visually-hidden' }, 'Actions'),
              ].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          rows,
        ),
      ),
      detail.element,
      announce,
    ),
    h('div', { class: 'admin__forms' }, userLookup(ctx), notifyForm(ctx), createAuctionForm(ctx)),
  );
  let disposed = false;
  let inFlight = false;

  async function refresh(): Promise<void> {
    if (inFlight || disposed) return;
    inFlight = true;
    try {
      const [statsAnswer, connections] = await Promise.all([
        ctx.api.get<Record<string, unknown>>('admin/stats'),
        loadConnections(),
      ]);
      if (disposed) return;
      problem.show(null);
      renderStats(statsAnswer);
      renderConnections(connections.items, connections.total);
      updated.textContent = `Updated ${formatTime(new Date())}`;
      await detail.refresh();
    } catch (error) {
      if (!disposed)
        problem.show(
          error instanceof ApiError && error.status === 403 ? ['This page is for admins only.'] : messagesOf(error),
        );
    } finally {
      inFlight = false;
    }
  }

  async function loadConnections(): Promise<{ items: AdminConnection[]; total: number }> {
    const items: AdminConnection[] = [];
    let cursor: string | number | null | undefined;
    let total = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (cursor !== undefined && cursor !== null) query.set('cursor', String(cursor));
      const answer = await ctx.api.get<Page<AdminConnection>>(`admin/connections?${query}`);
      items.push(...answer.items);
      total = answer.total ?? items.length;
      cursor = answer.nextCursor;
      if (cursor === undefined || cursor === null || cursor === '') break;
    }
    return { items, total };
  }

  function renderStats(answer: Record<string, unknown>): void {
    replaceChildren(
      stats,
      flatten(answer).map(([key, value]) =>
        h(
          'div',
          { class: 'stat', 'data-stat': key },
          h('dt', null, humanize(key)),
          h('dd', null, typeof value === 'number' ? value.toLocaleString('en-US') : String(value)),
        ),
      ),
    );
  }

  function renderConnections(items: AdminConnection[], total: number): void {
    const users = new Set(items.map((c) => String(c.userId))).size;
    summary.textContent = `${total} ${total === 1 ? 'connection' : 'connections'} of ${users} ${users === 1 ? 'user' : 'users'}${items.length < total ? ` (showing the first ${items.length})` : ''}.${items.length ? ' Select a connection id for its details.' : ''}`;
    replaceChildren(
      rows,
      items.length
        ? items.map(connectionRow)
        : h('tr', null, h('td', { colspan: '7', class: 'muted' }, 'Nobody is connected.')),
    );
  }

  /** Opens (or, with null, hides) the detail of one connection; it follows the console's refreshes. */
  function select(connectionId: string | null): void {
    detail.show(connectionId);
    for (const button of rows.querySelectorAll<HTMLElement>('button[data-details]'))
      button.setAttribute('aria-expanded', String(button.dataset.details === connectionId));
    for (const row of rows.querySelectorAll<HTMLElement>('tr[data-connection-id]'))
      row.classList.toggle('is-selected', row.dataset.connectionId === connectionId);
  }

  function connectionRow(c: AdminConnection): HTMLElement {
    const mine = c.connectionId === ctx.socket.connectionId;
    const selected = c.connectionId === detail.connectionId;
    // The id itself opens the detail: a separate button would push Close out of the table's width.
    const details = h(
      'button',
      {
        type: 'button',
        class: 'id-button',
        title: 'Show its details and the auctions it watches',
        'aria-label': `Details of connection ${c.connectionId} of ${c.email}`,
        'aria-controls': 'connection-detail',
        'aria-expanded': String(selected),
        'data-details': c.connectionId,
        onclick: () => select(detail.connectionId === c.connectionId ? null : c.connectionId),
      },
      h('code', null, c.connectionId),
    );
    const close = h(
      'button',
      {
        type: 'button',
        class: 'button button--danger button--small',
        'aria-label': `Close connection ${c.connectionId} of ${c.email}`,
        onclick: () =>
          void busy(close, 'Closing…', async () => {
            try {
              await ctx.api.delete(`admin/connections/${encodeURIComponent(c.connectionId)}`);
              announce.textContent = `Closed connection ${c.connectionId} of ${c.email}.`;
              ctx.toaster.show({
                title: 'Connection closed',
                body: `${c.email} (${c.connectionId}) will reconnect on its own if it is still open.`,
                tone: 'success',
              });
              await refresh();
            } catch (error) {
              ctx.toaster.show({
                title: 'Could not close the connection',
                body: messagesOf(error).join(' '),
                tone: 'error',
              });
            }
          }),
      },
      'Close',
    );
    return h(
      'tr',
      { 'data-connection-id': c.connectionId, 'data-email': c.email, class: selected ? 'is-selected' : null },
      h(
        'td',
        null,
        h('span', { class: 'cell-strong' }, c.email),
        h('span', { class: 'cell-sub' }, `user #${String(c.userId)}`),
      ),
      h('td', null, details, mine ? h('span', { class: 'chip chip--leader' }, 'this tab') : null),
      h('td', null, h('time', { datetime: c.createdAt, title: formatDateTime(c.createdAt) }, formatAgo(c.createdAt))),
      h(
        'td',
        null,
        c.lastSeenAt
          ? h('time', { datetime: c.lastSeenAt, title: formatDateTime(c.lastSeenAt) }, formatAgo(c.lastSeenAt))
          : '—',
      ),
      h('td', null, c.sourceIp ?? '—'),
      h('td', { class: 'cell-ua', title: c.userAgent ?? '' }, shortAgent(c.userAgent)),
      h('td', null, close),
    );
  }

  // Poll while the tab is visible: connections have no push event of their own.
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, ctx.config.adminRefreshMs);
  void refresh();
  return {
    element,
    title: 'Admin console',
    dispose() {
      disposed = true;
      clearInterval(timer);
    },
  };
}

interface ConnectionDetail {
  element: HTMLElement;
  /** The connection shown, or null when the panel is hidden. */
  readonly connectionId: string | null;
  show(connectionId: string | null): void;
  /** Reloads the shown connection (the console calls it on every refresh). */
  refresh(): Promise<void>;
}

/** One connection as `GET /admin/connections/:id` tells it: the gateway's live view and the auctions it watches. */
function connectionDetail(ctx: AppContext, select: (connectionId: string | null) => void): ConnectionDetail {
  const title = h('h3', { id: 'connection-detail-title', tabindex: '-1' });
  const body = h('div', { class: 'connection-detail__body' });
  const element = h(
    'section',
    {
      id: 'connection-detail',
      class: 'connection-detail',
      hidden: true,
      'aria-labelledby': 'connection-detail-title',
      'data-testid': 'connection-detail',
    },
    h(
      'div',
      { class: 'section-head' },
      title,
      h('button', { type: 'button', class: 'button button--ghost button--small', onclick: () => select(null) }, 'Hide'),
    ),
    body,
  );
  let shown: string | null = null;
  /** Auction titles by id, from GET /auctions; ids looked up once and still unknown are not asked again. */
  const titles = new Map<string, string>();
  const unknown = new Set<string>();

  async function refresh(): Promise<void> {
    const connectionId = shown;
    if (!connectionId) return;
    try {
      const answer = await ctx.api.get<AdminConnectionDetail>(`admin/connections/${encodeURIComponent(connectionId)}`);
      await learnTitles(answer.subscriptions);
      if (shown === connectionId) render(answer);
    } catch (error) {
      if (shown !== connectionId) return;
      const gone = error instanceof ApiError && error.status === 404;
      element.dataset.state = gone ? 'gone' : 'error';
      replaceChildren(
        body,
        h('p', { class: 'muted' }, gone ? 'This connection is no longer registered.' : messagesOf(error).join(' ')),
      );
    }
  }

  async function learnTitles(ids: Id[]): Promise<void> {
    if (!ids.some((id) => !titles.has(String(id)) && !unknown.has(String(id)))) return;
    const answer = await ctx.api.get<Auction[] | { items: Auction[] }>('auctions');
    for (const auction of Array.isArray(answer) ? answer : answer.items) titles.set(String(auction.id), auction.title);
    for (const id of ids) if (!titles.has(String(id))) unknown.add(String(id));
  }

  function render(answer: AdminConnectionDetail): void {
    element.dataset.state = answer.live ? 'live' : 'gone';
    const { live, subscriptions } = answer;
    replaceChildren(
      body,
      h(
        'dl',
        { class: 'connection-detail__facts' },
        fact('User', `${answer.email} (user #${String(answer.userId)})`),
        fact(
          'On the gateway',
          live
            ? [
                'connected ',
                h(
                  'time',
                  { datetime: live.connectedAt, title: formatDateTime(live.connectedAt) },
                  formatAgo(live.connectedAt),
                ),
                ', last active ',
                h(
                  'time',
                  { datetime: live.lastActiveAt, title: formatDateTime(live.lastActiveAt) },
                  formatAgo(live.lastActiveAt),
                ),
              ]
            : 'gone: the gateway no longer has it, so its row was removed',
        ),
        fact('IP', answer.sourceIp ?? '—'),
        fact('User agent', answer.userAgent ?? '—'),
      ),
      h(
        'h4',
        { id: 'connection-subscriptions-title' },
        `Watching ${subscriptions.length} ${subscriptions.length === 1 ? 'auction' : 'auctions'}`,
      ),
      subscriptions.length
        ? h(
            'ul',
            {
              class: 'connection-detail__subscriptions',
              'aria-labelledby': 'connection-subscriptions-title',
              'data-testid': 'connection-subscriptions',
            },
            [...subscriptions]
              .sort((a, b) => String(a).localeCompare(String(b), 'en', { numeric: true }))
              .map((id) =>
                h(
                  'li',
                  { 'data-auction-id': String(id) },
                  h(
                    'a',
                    { href: `#/auctions/${encodeURIComponent(String(id))}` },
                    titles.get(String(id)) ?? `Auction #${String(id)}`,
                  ),
                  h('span', { class: 'cell-sub' }, `#${String(id)}`),
                ),
              ),
          )
        : h(
            'p',
            { class: 'muted', 'data-testid': 'connection-subscriptions' },
            live ? 'No auction: its bids reach this connection only once it subscribes.' : 'None.',
          ),
    );
  }

  return {
    element,
    get connectionId() {
      return shown;
    },
    show(connectionId) {
      if (connectionId === shown) return;
      shown = connectionId;
      element.hidden = !connectionId;
      if (!connectionId) return;
      title.textContent = `Connection ${connectionId}`;
      delete element.dataset.state;
      replaceChildren(body, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
      title.focus();
      void refresh();
    },
    refresh,
  };
}

function fact(term: string, value: Child): HTMLElement {
  return h('div', null, h('dt', null, term), h('dd', null, value));
}

interface AdminUser {
  id: number | string;
  email: string;
  displayName: string;
  blocked: boolean;
  online: boolean;
  connections: number;
}

/** Find a user by e-mail (or its beginning); see blocked / online / connections; block, unblock, close connections. */
function userLookup(ctx: AppContext): HTMLElement {
  const email = formField({ label: 'E-mail', name: 'userEmail', hint: 'The whole address or its beginning.' });
  const alert = formAlert();
  const results = h('ul', { class: 'user-results', 'data-testid': 'user-results' });
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Find user');
  const form = h('form', { class: 'form', novalidate: true }, email.element, submit, alert.element);
  let lastQuery = '';

  async function search(query: string): Promise<void> {
    lastQuery = query;
    const answer = await ctx.api.get<{ items: AdminUser[] }>(`admin/users?email=${encodeURIComponent(query)}`);
    replaceChildren(results, ...answer.items.map(userRow));
    if (answer.items.length === 0) alert.show(['No user has an e-mail starting with that.'], 'info');
  }

  function action(label: string, run: () => Promise<unknown>, done: (answer: unknown) => string): HTMLElement {
    const button = h('button', { type: 'button', class: 'button button--ghost button--small' }, label);
    button.addEventListener('click', () => {
      void busy(button, 'Working…', async () => {
        try {
          const answer = await run();
          alert.show([done(answer)], 'info');
          await search(lastQuery);
        } catch (error) {
          alert.show(messagesOf(error));
        }
      });
    });
    return button;
  }

  function userRow(user: AdminUser): HTMLElement {
    const path = `admin/users/${encodeURIComponent(String(user.id))}`;
    const state = [
      user.blocked ? 'blocked' : 'active',
      user.online ? 'online' : 'offline',
      `${user.connections} ${user.connections === 1 ? 'connection' : 'connections'}`,
    ].join(' · ');
    return h(
      'li',
      { class: 'user-result', 'data-testid': 'user-result' },
      h('strong', null, user.displayName),
      ` ${user.email} (#${String(user.id)}) `,
      h('span', { class: 'muted', 'data-testid': 'user-state' }, state),
      ' ',
      user.blocked
        ? action(
            'Unblock',
            () => ctx.api.delete(`${path}/block`),
            () => `${user.email} may sign in again.`,
          )
        : action(
            'Block',
            () => ctx.api.post(`${path}/block`, {}),
            () => `${user.email} is blocked and signed out everywhere.`,
          ),
      action(
        'Close connections',
        () => ctx.api.request<{ closed: number }>('DELETE', `${path}/connections`),
        (answer) => `Closed ${(answer as { closed?: number } | undefined)?.closed ?? 0} connection(s).`,
      ),
    );
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.show(null);
    const query = email.input.value.trim();
    email.setError(query ? null : 'Enter an e-mail address or its beginning.');
    if (!query) return;
    void busy(submit, 'Searching…', async () => {
      try {
        await search(query);
      } catch (error) {
        alert.show(messagesOf(error));
      }
    });
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'users-title' },
    h('h2', { id: 'users-title' }, 'Users'),
    form,
    results,
  );
}

function notifyForm(ctx: AppContext): HTMLElement {
  const userId = formField({ label: 'User id', name: 'userId', inputmode: 'numeric', hint: 'From the table above.' });
  const title = formField({ label: 'Title', name: 'title' });
  const body = formField({ label: 'Message (optional)', name: 'body' });
  const alert = formAlert();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Send notification');
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    userId.element,
    title.element,
    body.element,
    submit,
    alert.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.show(null);
    const id = userId.input.value.trim();
    userId.setError(/^\d+$/.test(id) || (id && !/\s/.test(id)) ? null : 'Enter the id of a user.');
    title.setError(title.input.value.trim() ? null : 'Enter a title.');
    if (form.querySelector('[aria-invalid="true"]')) return;
    void busy(submit, 'Sending…', async () => {
      try {
        const answer = await ctx.api.post<NotificationAccepted>('notifications', {
          userId: /^\d+$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id,
          kind: 'service',
          title: title.input.value.trim(),
          ...(body.input.value.trim() ? { body: body.input.value.trim() } : {}),
        });
        alert.show(
          [
            `Sent (notification #${String(answer.id)}): delivered to ${answer.deliveredTo} ${answer.deliveredTo === 1 ? 'connection' : 'connections'}; stored for replay.`,
          ],
          'info',
        );
      } catch (error) {
        alert.show(error instanceof ApiError && error.status === 404 ? ['No user has that id.'] : messagesOf(error));
      }
    });
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'notify-title' },
    h('h2', { id: 'notify-title' }, 'Send a notification'),
    form,
  );
}

function createAuctionForm(ctx: AppContext): HTMLElement {
  const title = formField({ label: 'Title', name: 'title' });
  const price = formField({
    label: 'Starting price (USD)',
    name: 'startingPrice',
    inputmode: 'decimal',
    value: '10.00',
  });
  const minutes = formField({ label: 'Duration (minutes)', name: 'minutes', inputmode: 'numeric', value: '60' });
  const alert = formAlert();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Create auction');
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    title.element,
    price.element,
    minutes.element,
    submit,
    alert.element,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.show(null);
    const parsed = parseDollars(price.input.value);
    const duration = Number(minutes.input.value);
    title.setError(title.input.value.trim() ? null : 'Enter a title.');
    price.setError('error' in parsed ? parsed.error : null);
    minutes.setError(Number.isInteger(duration) && duration > 0 ? null : 'Enter a whole number of minutes.');
    if (form.querySelector('[aria-invalid="true"]') || 'error' in parsed) return;
    void busy(submit, 'Creating…', async () => {
      try {
        const auction = await ctx.api.post<Auction>('auctions', {
          title: title.input.value.trim(),
          startingPriceCents: parsed.cents,
          endsAt: new Date(Date.now() + duration * 60_000).toISOString(),
        });
        alert.show([`Created “${auction.title}”.`], 'info');
        alert.element.append(
          ' ',
          h('a', { href: `#/auctions/${encodeURIComponent(String(auction.id))}` }, 'Open its room'),
        );
      } catch (error) {
        alert.show(messagesOf(error));
      }
    });
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'create-title' },
    h('h2', { id: 'create-title' }, 'Create an auction'),
    form,
  );
}

/** `{pushes: {sent: 3}}` → `[['pushes.sent', 3]]`: the stats render whatever the API reports. */
function flatten(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([key, v]) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? flatten(v as Record<string, unknown>, `${prefix}${key}.`)
      : [[`${prefix}${key}`, v] as [string, unknown]],
  );
}

/** `pushes.staleRemoved` → "Pushes stale removed". */
function humanize(key: string): string {
  const words = key
    .replace(/\./g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
