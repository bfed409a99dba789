import type { AppContext, View } from '../app-context.js';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '@gavel/contracts';
import { messagesOf } from '../components/busy.js';
import type { Auction } from '../lib/api-types.js';
import { AuctionState, bidFromEvent } from '../lib/auction-state.js';
import { h, replaceChildren } from '../lib/dom.js';
import { sameId } from '../lib/ids.js';
import { formatCents } from '../lib/money.js';
import { formatRemaining } from '../lib/time.js';

/** All auctions as cards, open ones first; prices and bid counts follow pushed bids live. */
export function auctionListView(ctx: AppContext): View {
  const me = ctx.session.current.value!.user;
  const list = h('ul', { class: 'auction-grid', 'data-testid': 'auction-list' });
  const status = h('p', { class: 'loading', role: 'status' }, 'Loading auctions…');
  const element = h(
    'div',
    { class: 'auctions' },
    h(
      'div',
      { class: 'page-head' },
      h('h1', { tabindex: '-1' }, 'Live auctions'),
      h('p', { class: 'muted' }, 'Prices update as bids land, on every screen at once.'),
    ),
    status,
    list,
  );
  let states: AuctionState[] = [];
  let disposed = false;
  let stopWatching = (): void => undefined;

  /** Bids reach only an auction's subscribers, at most 50 per connection: the list watches the open auctions ending first. */
  function watchOpenAuctions(): void {
    const open = states
      .filter((s) => s.open)
      .sort((a, b) => Date.parse(a.auction.endsAt) - Date.parse(b.auction.endsAt));
    const stopPrevious = stopWatching;
    stopWatching = ctx.socket.watch(open.slice(0, MAX_SUBSCRIPTIONS_PER_CONNECTION).map((s) => s.auction.id));
    stopPrevious();
  }

  function render(): void {
    status.hidden = states.length > 0;
    if (!states.length && status.textContent === 'Loading auctions…') return;
    if (!states.length) status.textContent = 'No auctions yet. An admin can create one.';
    const sorted = [...states].sort(
      (a, b) => Number(b.open) - Number(a.open) || Date.parse(a.auction.endsAt) - Date.parse(b.auction.endsAt),
    );
    replaceChildren(
      list,
      sorted.map((s) => card(s)),
    );
  }

  function card(state: AuctionState): HTMLElement {
    const { auction } = state;
    const youLead = sameId(auction.leaderId, me.id);
    const href = `#/auctions/${encodeURIComponent(String(auction.id))}`;
    return h(
      'li',
      { class: `auction-card card${state.open ? '' : ' auction-card--closed'}`, 'data-auction-id': String(auction.id) },
      h(
        'div',
        { class: 'auction-card__head' },
        h('h2', null, h('a', { href, class: 'auction-card__link' }, auction.title)),
        h('span', { class: `chip chip--${state.open ? 'open' : 'closed'}` }, state.open ? 'Open' : 'Closed'),
      ),
      h('p', { class: 'auction-card__price' }, formatCents(auction.currentPriceCents)),
      h(
        'p',
        { class: 'auction-card__meta' },
        `${auction.bidCount} ${auction.bidCount === 1 ? 'bid' : 'bids'}`,
        ' · ',
        state.open
          ? [
              'ends in ',
              h(
                'time',
                { datetime: auction.endsAt, 'data-countdown': auction.endsAt },
                formatRemaining(auction.endsAt),
              ),
            ]
          : 'ended',
        youLead ? h('span', { class: 'chip chip--leader' }, state.open ? 'You lead' : 'You won') : null,
      ),
    );
  }

  async function load(): Promise<void> {
    try {
      const answer = await ctx.api.get<Auction[] | { items: Auction[] }>('auctions');
      if (disposed) return;
      // An answer can arrive after a snapshot or bid it predates (e.g. the reload after a reconnect): keep the newer.
      states = (Array.isArray(answer) ? answer : (answer.items ?? [])).map((a) => {
        const known = states.find((s) => sameId(s.auction.id, a.id));
        return known && isNewer(known.auction, a) ? known : new AuctionState(a);
      });
      status.textContent = '';
      render();
      watchOpenAuctions();
    } catch (error) {
      if (disposed) return;
      status.hidden = false;
      status.textContent = `Could not load auctions: ${messagesOf(error).join(' ')}`;
    }
  }

  const stopEvents = ctx.socket.events.on((event) => {
    if (event.type === 'subscribed') {
      const index = states.findIndex((s) => sameId(s.auction.id, event.data.auctionId));
      if (index >= 0) {
        states[index] = new AuctionState(event.data.auction as unknown as Auction);
        render();
      }
    } else if (event.type === 'bid') {
      const state = states.find((s) => sameId(s.auction.id, event.data.auctionId));
      if (state?.applyBid(bidFromEvent(event.data))) render();
    } else if (event.type === 'auction.closed') {
      if (states.some((s) => s.applyClosed(event.data))) render();
    }
  });
  const stopAuth = ctx.socket.authenticated.on(() => void load());
  const ticker = setInterval(() => {
    for (const time of list.querySelectorAll<HTMLElement>('[data-countdown]'))
      time.textContent = formatRemaining(time.dataset.countdown!);
    if (
      states.some(
        (s) =>
          s.auction.status === 'open' &&
          !s.open &&
          list.querySelector(`[data-auction-id="${CSS.escape(String(s.auction.id))}"]:not(.auction-card--closed)`),
      )
    )
      render();
  }, 1000);

  void load();
  return {
    element,
    title: 'Live auctions',
    dispose() {
      disposed = true;
      stopWatching();
      stopEvents();
      stopAuth();
      clearInterval(ticker);
    },
  };
}

/** Bids only add up (`bidCount` is the auction's `seq`) and a closed auction never reopens. */
function isNewer(known: Auction, answer: Auction): boolean {
  return (known.bidCount ?? 0) > (answer.bidCount ?? 0) || (known.status !== 'open' && answer.status === 'open');
}
