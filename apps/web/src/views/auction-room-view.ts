import type { AppContext, View } from '../app-context.js';
import { busy, messagesOf } from '../components/busy.js';
import { formAlert } from '../components/form-field.js';
import { ApiError } from '../lib/api-client.js';
import type { Auction, Bid } from '../lib/api-types.js';
import { AuctionState, bidFromEvent } from '../lib/auction-state.js';
import { h, replaceChildren } from '../lib/dom.js';
import { randomKey, sameId } from '../lib/ids.js';
import { centsToInput, formatCents, parseDollars } from '../lib/money.js';
import { formatRemaining, formatTime } from '../lib/time.js';

const QUICK_RAISES = [100, 500, 1000];

/** The auction room: the price large, the bid form, and the live bid history on the right. */
export function auctionRoomView(ctx: AppContext, auctionId: string): View {
  const me = ctx.session.current.value!.user;
  const element = h('div', { class: 'room' }, h('p', { class: 'loading', role: 'status' }, 'Loading auction…'));
  let state: AuctionState | null = null;
  let disposed = false;

  // --- the parts that live updates touch --------------------------------------------------------
  const heading = h('h1', { id: 'room-title', tabindex: '-1' });
  const statusChip = h('span', { class: 'chip' });
  const meta = h('p', { class: 'room__meta' });
  const priceValue = h('p', { class: 'price__value', 'data-testid': 'current-price' });
  const leader = h('p', { class: 'price__leader', 'data-testid': 'leader' });
  const priceLabel = h('p', { class: 'price__label' }, 'Current bid');
  const price = h(
    'div',
    { class: 'price', 'aria-live': 'polite', 'aria-atomic': 'true' },
    priceLabel,
    priceValue,
    leader,
  );
  const closedNote = h('p', { class: 'closed-note', hidden: true, 'data-testid': 'closed-note' }, 'Bidding has ended.');
  const staleNote = h(
    'p',
    { class: 'stale-note', hidden: true },
    'Live updates paused while reconnecting: the price may be out of date.',
  );
  const history = h('ol', { class: 'bid-list', 'data-testid': 'bid-history', 'aria-label': 'Bids, highest first' });
  const historyCount = h('span', { class: 'muted' });

  // --- the bid form -------------------------------------------------------------------------------
  const inputId = `bid-amount-${auctionId}`;
  const amount = h('input', {
    id: inputId,
    name: 'amount',
    inputmode: 'decimal',
    autocomplete: 'off',
    'aria-describedby': `${inputId}-hint ${inputId}-error`,
    'data-testid': 'bid-amount',
  });
  const hint = h('p', { id: `${inputId}-hint`, class: 'field__hint' });
  const fieldError = h('p', {
    id: `${inputId}-error`,
    class: 'field__error',
    hidden: true,
    'data-testid': 'bid-error',
  });
  const submit = h('button', { type: 'submit', class: 'button button--primary bid-form__submit' }, 'Place bid');
  const quick = h('div', { class: 'quick-bids', role: 'group', 'aria-label': 'Quick amounts' });
  const feedback = formAlert();
  feedback.element.dataset.testid = 'bid-feedback';
  const form = h(
    'form',
    { class: 'bid-form', novalidate: true },
    h('label', { for: inputId, class: 'bid-form__label' }, 'Your bid (USD)'),
    h(
      'div',
      { class: 'bid-form__row' },
      h(
        'div',
        { class: 'money-input' },
        h('span', { class: 'money-input__prefix', 'aria-hidden': 'true' }, '$'),
        amount,
      ),
      submit,
    ),
    hint,
    fieldError,
    quick,
    feedback.element,
  );
  let pendingKey: { amountCents: number; key: string } | null = null;

  const setFieldError = (message: string | null): void => {
    fieldError.textContent = message ?? '';
    fieldError.hidden = !message;
    if (message) amount.setAttribute('aria-invalid', 'true');
    else amount.removeAttribute('aria-invalid');
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!state) return;
    feedback.show(null);
    const parsed = parseDollars(amount.value);
    if ('error' in parsed) return invalid(parsed.error);
    const current = state.auction.currentPriceCents;
    if (parsed.cents <= current) return invalid(`Bid more than ${formatCents(current)}, the current bid.`);
    setFieldError(null);
    // The same amount retried after a network failure reuses its key, so it can never be placed twice.
    if (pendingKey?.amountCents !== parsed.cents) pendingKey = { amountCents: parsed.cents, key: randomKey() };
    await busy(submit, 'Placing…', () => placeBid(parsed.cents, pendingKey!.key));
  });

  const invalid = (message: string): void => {
    setFieldError(message);
    amount.focus();
  };

  async function placeBid(amountCents: number, idempotencyKey: string): Promise<void> {
    try {
      const bid = await ctx.api.post<Bid>(
        `auctions/${encodeURIComponent(auctionId)}/bids`,
        { amountCents },
        { headers: { 'idempotency-key': idempotencyKey } },
      );
      pendingKey = null;
      state?.applyBid({ ...bid, bidderName: bid.bidderName ?? me.displayName });
      feedback.show([`Your bid of ${formatCents(bid.amountCents)} is in.`], 'info');
      render({ suggest: true });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 0) pendingKey = null;
      if (error instanceof ApiError && error.status === 409) {
        // The 409 carries the current price as `currentPriceCents`; say it in dollars.
        const field = (error.body as { currentPriceCents?: unknown } | null)?.currentPriceCents;
        const cents = typeof field === 'number' ? field : undefined;
        setFieldError(
          cents !== undefined
            ? `Outbid before yours arrived: the current bid is now ${formatCents(cents)}. Bid more than that.`
            : `Outbid before yours arrived: ${error.messages.join(' ')}`,
        );
        void refresh({ suggest: true });
      } else if (error instanceof ApiError && error.status === 422) {
        setFieldError('Bidding has closed on this auction: your bid was not placed.');
        void refresh();
      } else if (error instanceof ApiError && error.status === 404) {
        setFieldError('This auction no longer exists.');
      } else if (error instanceof ApiError && error.status === 401) {
        // the session ended; the app returns to the sign-in page
      } else {
        setFieldError(messagesOf(error).join(' '));
      }
      amount.focus();
    }
  }

  // --- rendering ------------------------------------------------------------------------------------
  function render(options: { suggest?: boolean } = {}): void {
    if (!state) return;
    const { auction } = state;
    const open = state.open;
    const youLead = sameId(auction.leaderId, me.id);
    heading.textContent = auction.title;
    document.title = `${auction.title} · Gavel`;
    statusChip.textContent = open ? 'Open' : auction.status === 'open' ? 'Closing…' : capitalize(auction.status);
    statusChip.className = `chip chip--${open ? 'open' : 'closed'}`;
    renderMeta();
    if (priceValue.textContent !== formatCents(auction.currentPriceCents)) {
      const changed = priceValue.textContent !== '';
      priceValue.textContent = formatCents(auction.currentPriceCents);
      if (changed) {
        price.classList.remove('price--flash');
        void price.offsetWidth; // restart the highlight animation
        price.classList.add('price--flash');
      }
    }
    const name = state.leaderName();
    price.classList.toggle('price--yours', youLead);
    leader.textContent = !name
      ? open
        ? 'No bids yet: be the first.'
        : 'Closed without bids.'
      : open
        ? youLead
          ? 'You are the highest bidder.'
          : `${name} leads.`
        : youLead
          ? 'You won this auction!'
          : `Won by ${name}.`;

    priceLabel.textContent = open ? 'Current bid' : name ? 'Winning bid' : 'Final price';
    if (!open && !form.hidden) feedback.show(null);
    form.hidden = !open;
    closedNote.hidden = open;
    const min = minimumCents(auction);
    hint.textContent = open ? `Enter ${formatCents(min)} or more.` : 'Bidding has ended.';
    for (const control of [amount, submit]) control.disabled = !open;
    if (options.suggest || amount.value === '') amount.value = centsToInput(suggestedCents(auction));
    replaceChildren(
      quick,
      QUICK_RAISES.map((raise) =>
        h(
          'button',
          {
            type: 'button',
            class: 'button button--ghost',
            disabled: !open,
            'aria-label': `Bid ${formatCents(auction.currentPriceCents + raise)} (current bid plus ${formatCents(raise)})`,
            onclick: () => (
              (amount.value = centsToInput(auction.currentPriceCents + raise)),
              setFieldError(null),
              amount.focus()
            ),
          },
          `+${formatCents(raise).replace('.00', '')}`,
        ),
      ),
    );

    historyCount.textContent = `${auction.bidCount} ${auction.bidCount === 1 ? 'bid' : 'bids'}`;
    replaceChildren(
      history,
      state.bids.length
        ? state.bids.map((bid, index) =>
            bidRow(bid, index === 0 && sameId(bid.bidderId, auction.leaderId), sameId(bid.bidderId, me.id), open),
          )
        : h('li', { class: 'bid-list__empty' }, 'No bids yet.'),
    );
  }

  function renderMeta(): void {
    if (!state) return;
    const { auction } = state;
    const remaining = formatRemaining(auction.endsAt);
    replaceChildren(
      meta,
      state.open
        ? ['Ends in ', h('time', { datetime: auction.endsAt }, remaining)]
        : ['Ended ', h('time', { datetime: auction.endsAt }, formatTime(auction.endsAt))],
      ` · Started at ${formatCents(auction.startingPriceCents ?? auction.currentPriceCents)}`,
    );
  }

  function mount(detail: Auction): void {
    state = new AuctionState(detail);
    replaceChildren(
      element,
      h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, '← All auctions')),
      h(
        'div',
        { class: 'room__grid' },
        h(
          'section',
          { class: 'card room__main', 'aria-labelledby': 'room-title' },
          h('div', { class: 'room__head' }, heading, statusChip),
          meta,
          price,
          staleNote,
          form,
          closedNote,
        ),
        h(
          'aside',
          { class: 'card room__history', 'aria-labelledby': 'history-title' },
          h('div', { class: 'room__history-head' }, h('h2', { id: 'history-title' }, 'Bid history'), historyCount),
          history,
        ),
      ),
    );
    render({ suggest: true });
  }

  function applyDetail(detail: Auction, options: { suggest?: boolean } = {}): void {
    if (disposed) return;
    if (!state) return mount(detail);
    // Keep bids pushed meanwhile that the detail (fetched a moment ago) may not list yet.
    const fresh = new AuctionState(detail);
    for (const bid of state.bids) if (bid.amountCents > detail.currentPriceCents) fresh.applyBid(bid);
    state = fresh;
    render(options);
  }

  async function refresh(options: { suggest?: boolean } = {}): Promise<void> {
    try {
      const detail = await ctx.api.get<Auction>(`auctions/${encodeURIComponent(auctionId)}`);
      applyDetail(detail, options);
    } catch (error) {
      if (disposed || state) return;
      const notFound = error instanceof ApiError && error.status === 404;
      replaceChildren(
        element,
        h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, '← All auctions')),
        h(
          'section',
          { class: 'card empty-state' },
          h('h1', { tabindex: '-1' }, notFound ? 'Auction not found' : 'Could not load this auction'),
          h('p', null, notFound ? 'It may have been removed.' : messagesOf(error).join(' ')),
          notFound
            ? null
            : h('button', { type: 'button', class: 'button', onclick: () => void refresh() }, 'Try again'),
        ),
      );
    }
  }

  // --- live updates -----------------------------------------------------------------------------------
  // Bids reach only an auction's subscribers: the room watches its auction while it is shown.
  const stopWatching = ctx.socket.watch([auctionId]);
  const stopEvents = ctx.socket.events.on((event) => {
    if (event.type === 'subscribed' && sameId(event.data.auctionId, auctionId)) {
      // The snapshot is the truth as of its seq; every later bid follows it.
      applyDetail(event.data.auction as unknown as Auction);
      return;
    }
    if (!state) return;
    const wasLeader = sameId(state.auction.leaderId, me.id);
    if (event.type === 'bid' && state.applyBid(bidFromEvent(event.data))) {
      if (wasLeader && !sameId(state.auction.leaderId, me.id)) {
        feedback.show(
          [`You were outbid: ${state.leaderName()} bid ${formatCents(state.auction.currentPriceCents)}.`],
          'error',
        );
      }
      // Refresh the proposed amount unless the user is typing one.
      render({ suggest: document.activeElement !== amount && !amountIsValid() });
    } else if (event.type === 'auction.closed' && state.applyClosed(event.data)) {
      render();
      void refresh();
    }
  });
  // After a reconnect, bids pushed while we were away are not replayed: fetch the truth again.
  const stopAuth = ctx.socket.authenticated.on(() => void refresh());
  const stopStatus = ctx.socket.status.subscribe(
    (status) => (staleNote.hidden = status === 'connected' || status === 'connecting'),
  );
  const ticker = setInterval(() => {
    if (!state) return;
    const wasOpen = statusChip.textContent === 'Open';
    if (wasOpen !== state.open) render();
    else renderMeta();
  }, 1000);

  function amountIsValid(): boolean {
    const parsed = parseDollars(amount.value);
    return !!state && 'cents' in parsed && parsed.cents > state.auction.currentPriceCents;
  }

  void refresh();
  return {
    element,
    title: 'Auction',
    dispose() {
      disposed = true;
      stopWatching();
      stopEvents();
      stopAuth();
      stopStatus();
      clearInterval(ticker);
    },
  };
}

function bidRow(bid: Bid, leading: boolean, mine: boolean, open: boolean): HTMLElement {
  return h(
    'li',
    { class: `bid${leading ? ' bid--leader' : ''}${mine ? ' bid--mine' : ''}`, 'data-bid-id': String(bid.id) },
    h(
      'span',
      { class: 'bid__who' },
      mine ? 'You' : (bid.bidderName ?? `Bidder #${String(bid.bidderId)}`),
      leading ? h('span', { class: 'chip chip--leader' }, open ? 'Leading' : 'Winner') : null,
    ),
    h('span', { class: 'bid__amount' }, formatCents(bid.amountCents)),
    h('time', { class: 'bid__time', datetime: bid.createdAt }, formatTime(bid.createdAt)),
  );
}

/** The API accepts only bids above the current price (409 otherwise), the first bid included. */
function minimumCents(auction: Auction): number {
  return auction.currentPriceCents + 1;
}

/** What the input proposes: the next round dollar above the current bid. */
function suggestedCents(auction: Auction): number {
  return Math.floor(auction.currentPriceCents / 100) * 100 + 100;
}

function capitalize(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}
