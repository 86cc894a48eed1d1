// Durable Goods storefront: the catalog page. One ES module, no dependencies, no build step.
//
// Every piece of text that comes from the API is put into the page with textContent or DOM
// attributes, never with innerHTML, so product data cannot inject markup.

// The repository's ESLint config has no browser environment: these are the browser globals used here.
/* global window, document, fetch, URL, URLSearchParams, AbortController, CSS, Node, HTMLElement, setTimeout, clearTimeout, localStorage, crypto, HTMLInputElement */

import { orderTokenFor, rememberOrderToken, takeTokenFromLink, wireAccount } from './account.js';

const PAGE_SIZE = 24;
const SEARCH_DEBOUNCE_MS = 250;
const PRICE_DEBOUNCE_MS = 400;
const LOW_STOCK_MAX = 5;
const SORTS = new Set(['newest', 'price', '-price', 'name', '-name']);
const DEFAULT_SORT = 'newest';
const LOCALE = 'en-US';

// ---------- DOM ----------

const $ = (id) => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node;
};

const dom = {
  searchForm: $('search-form'),
  search: $('search-input'),
  filters: $('filters'),
  filterForm: $('filter-form'),
  category: $('filter-category'),
  collection: $('filter-collection'),
  vendor: $('filter-vendor'),
  min: $('filter-min'),
  max: $('filter-max'),
  inStock: $('filter-in-stock'),
  clearFilters: $('clear-filters'),
  filtersToggle: $('filters-toggle'),
  filtersCount: $('filters-count'),
  sort: $('sort-select'),
  status: $('result-status'),
  errorBanner: $('error-banner'),
  errorMessage: $('error-message'),
  errorRetry: $('error-retry'),
  errorDismiss: $('error-dismiss'),
  grid: $('product-grid'),
  empty: $('empty-state'),
  emptyClear: $('empty-clear'),
  loadMore: $('load-more'),
  dialog: $('product-dialog'),
  dialogCategory: $('dialog-category'),
  dialogTitle: $('dialog-title'),
  dialogVendor: $('dialog-vendor'),
  dialogClose: $('dialog-close'),
  dialogError: $('dialog-error'),
  dialogBody: $('dialog-body'),
  dialogPrice: $('dialog-price'),
  dialogStock: $('dialog-stock'),
  dialogDescription: $('dialog-description'),
  dialogSku: $('dialog-sku'),
  dialogAvailability: $('dialog-availability'),
  dialogCollections: $('dialog-collections'),
  dialogAdded: $('dialog-added'),
  dialogCartForm: $('dialog-cart-form'),
  dialogQuantity: $('dialog-quantity'),
  dialogAdd: $('dialog-add'),
  dialogViewCart: $('dialog-view-cart'),
  dialogCartStatus: $('dialog-cart-status'),
  dialogCartError: $('dialog-cart-error'),
  cartButton: $('cart-button'),
  cartCount: $('cart-count'),
  cartStatus: $('cart-status'),
  cartPanel: $('cart-panel'),
  cartTitle: $('cart-title'),
  cartClose: $('cart-close'),
  cartError: $('cart-error'),
  cartErrorText: $('cart-error-text'),
  cartErrorDismiss: $('cart-error-dismiss'),
  cartNotice: $('cart-notice'),
  cartNoticeTitle: $('cart-notice-title'),
  cartNoticeText: $('cart-notice-text'),
  cartNoticeDismiss: $('cart-notice-dismiss'),
  cartEmpty: $('cart-empty'),
  cartLines: $('cart-lines'),
  cartSummary: $('cart-summary'),
  cartItemCount: $('cart-item-count'),
  cartTotal: $('cart-total'),
  cartCheckout: $('cart-checkout'),
  cartClear: $('cart-clear'),
  skipLink: document.querySelector('.skip-link') ?? document.createElement('a'),
  catalog: $('catalog'),
  results: $('results'),
  trackToggle: $('track-toggle'),
  trackForm: $('track-form'),
  trackInput: $('track-input'),
  trackError: $('track-error'),
  checkoutDialog: $('checkout-dialog'),
  checkoutForm: $('checkout-form'),
  checkoutSummary: $('checkout-summary'),
  checkoutClose: $('checkout-close'),
  checkoutBack: $('checkout-back'),
  checkoutError: $('checkout-error'),
  checkoutErrorText: $('checkout-error-text'),
  checkoutEmail: $('checkout-email'),
  checkoutName: $('checkout-name'),
  checkoutLine1: $('checkout-line1'),
  checkoutLine2: $('checkout-line2'),
  checkoutCity: $('checkout-city'),
  checkoutRegion: $('checkout-region'),
  checkoutPostalCode: $('checkout-postalCode'),
  checkoutCountry: $('checkout-country'),
  checkoutPayment: $('checkout-payment'),
  checkoutPaymentProvider: $('checkout-payment-provider'),
  checkoutCardField: $('checkout-card-field'),
  checkoutCardLabel: $('checkout-card-label'),
  checkoutCard: $('checkout-card'),
  checkoutCardStatus: $('checkout-card-status'),
  checkoutCardError: $('checkout-card-error'),
  checkoutCardRetry: $('checkout-card-retry'),
  checkoutSubmit: $('checkout-submit'),
  orderView: $('order-view'),
  orderBack: $('order-back'),
  orderTitle: $('order-title'),
  orderId: $('order-id'),
  orderMeta: $('order-meta'),
  orderLink: $('order-link'),
  orderTrackingLink: $('order-tracking-link'),
  orderStatus: $('order-status'),
  orderRefresh: $('order-refresh'),
  orderLive: $('order-live'),
  orderError: $('order-error'),
  orderErrorText: $('order-error-text'),
  orderErrorRetry: $('order-error-retry'),
  orderLoading: $('order-loading'),
  orderBody: $('order-body'),
  orderSteps: $('order-steps'),
  orderCancelled: $('order-cancelled'),
  orderAttention: $('order-attention'),
  orderPaymentError: $('order-payment-error'),
  orderPaymentErrorText: $('order-payment-error-text'),
  orderConfirm: $('order-confirm'),
  orderConfirmLink: $('order-confirm-link'),
  orderConfirmButton: $('order-confirm-button'),
  orderConfirmNone: $('order-confirm-none'),
  orderPayForm: $('order-pay-form'),
  orderPayTitle: $('order-pay-title'),
  orderPayMethod: $('order-pay-method'),
  orderPayCardField: $('order-pay-card-field'),
  orderPayCardLabel: $('order-pay-card-label'),
  orderPayCard: $('order-pay-card'),
  orderPayCardStatus: $('order-pay-card-status'),
  orderPayCardError: $('order-pay-card-error'),
  orderPayCardRetry: $('order-pay-card-retry'),
  orderPaySubmit: $('order-pay-submit'),
  orderPayError: $('order-pay-error'),
  orderLines: $('order-lines'),
  orderTotal: $('order-total'),
  orderPaymentMethod: $('order-payment-method'),
  orderPaymentStep: $('order-payment-step'),
  orderAuthorized: $('order-authorized'),
  orderCaptured: $('order-captured'),
  orderRefunded: $('order-refunded'),
  orderAddress: $('order-address'),
  orderTimeline: $('order-timeline'),
  orderCancel: $('order-cancel'),
  orderCancelButton: $('order-cancel-button'),
  orderCancelConfirm: $('order-cancel-confirm'),
  orderCancelYes: $('order-cancel-yes'),
  orderCancelNo: $('order-cancel-no'),
  orderCancelError: $('order-cancel-error'),
};

/** Creates an element with attributes/properties and children (strings become text nodes). */
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'style') for (const [prop, v] of Object.entries(value)) node.style.setProperty(prop, v);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// ---------- API ----------

class ApiError extends Error {
  constructor(message, { status = 0, code = 'network_error', details } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** GET a JSON endpoint; a 4xx/5xx becomes an ApiError carrying the API's own message. */
async function apiGet(path, params = {}, signal) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  }
  let response;
  try {
    response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError(UNREACHABLE);
  }
  return readBody(response);
}

const UNREACHABLE = 'Could not reach the shop. Check your connection and try again.';

/** The JSON body of a 2xx answer; a 4xx/5xx becomes an ApiError carrying the API's own code and message. */
async function readBody(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: handled below.
  }
  if (!response.ok) {
    const error = body?.error;
    throw new ApiError(
      typeof error?.message === 'string' && error.message
        ? error.message
        : `The shop could not answer (HTTP ${response.status}).`,
      {
        status: response.status,
        code: typeof error?.code === 'string' ? error.code : 'http_error',
        details: error?.details,
      },
    );
  }
  if (body === null)
    throw new ApiError('The shop sent an answer this page could not read.', {
      status: response.status,
      code: 'bad_response',
    });
  return body;
}

// ---------- Formatting ----------

const moneyFormats = new Map();

/** Formats an amount in minor units (cents for USD) in its currency, honouring the currency's decimals. */
function formatMoney(minorUnits, currency) {
  let format = moneyFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency });
    } catch {
      // An unknown code: show the number with the code rather than fail the whole card.
      format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'XXX', currencyDisplay: 'code' });
    }
    moneyFormats.set(currency, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** digits);
}

const dateFormat = new Intl.DateTimeFormat(LOCALE, { year: 'numeric', month: 'long', day: 'numeric' });

function formatDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}

/** "home-and-garden" → "Home And Garden": categories are slugs and the API has no display name for them. */
function titleCase(slug) {
  return slug
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}

function stockInfo(available) {
  if (available <= 0) return { label: 'Sold out', kind: 'out' };
  if (available <= LOW_STOCK_MAX) return { label: `Only ${available} left`, kind: 'low' };
  return { label: 'In stock', kind: 'in' };
}

function stockBadge(available) {
  const { label, kind } = stockInfo(available);
  return h('span', { class: `badge badge--${kind}`, 'data-testid': 'stock-badge', dataset: { stock: kind } }, label);
}

/** A stable accent colour per category, so cards of one category look related. */
function categoryHue(category) {
  let hash = 0;
  for (const ch of category) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return hash % 360;
}

// ---------- State and URL ----------

/** The filters as the page shows them; prices are dollar strings exactly as typed. */
const state = {
  q: '',
  category: '',
  collection: '',
  vendor: '',
  min: '',
  max: '',
  inStock: false,
  sort: DEFAULT_SORT,
};

/** Facet lookups, for showing names instead of slugs. */
const facets = { collectionNames: new Map(), loaded: false };

function readStateFromUrl() {
  const params = new URLSearchParams(window.location.search);
  const text = (name, max = 100) => (params.get(name) ?? '').trim().slice(0, max);
  state.q = text('q');
  state.category = text('category');
  state.collection = text('collection');
  state.vendor = text('vendor');
  state.min = text('min', 20);
  state.max = text('max', 20);
  state.inStock = ['true', '1', 'yes'].includes(text('inStock').toLowerCase());
  const sort = text('sort');
  state.sort = SORTS.has(sort) ? sort : DEFAULT_SORT;
  return { productId: text('product'), orderId: text('order') };
}

/**
 * Keeps the page's address in step with the filters, the open product and the tracked order. Filter
 * changes replace the history entry; opening or leaving an order's page adds one (mode 'push').
 */
function writeUrl(mode = 'replace') {
  const params = new URLSearchParams();
  if (state.q.trim()) params.set('q', state.q.trim());
  if (state.category) params.set('category', state.category);
  if (state.collection) params.set('collection', state.collection);
  if (state.vendor) params.set('vendor', state.vendor);
  if (state.min.trim()) params.set('min', state.min.trim());
  if (state.max.trim()) params.set('max', state.max.trim());
  if (state.inStock) params.set('inStock', 'true');
  if (state.sort !== DEFAULT_SORT) params.set('sort', state.sort);
  if (openProductId) params.set('product', openProductId);
  if (order.id) params.set('order', order.id);
  const query = params.toString();
  const url = `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`;
  if (url === `${window.location.pathname}${window.location.search}${window.location.hash}`) return;
  if (mode === 'push') window.history.pushState(null, '', url);
  else window.history.replaceState(window.history.state, '', url);
}

function stateToControls() {
  dom.search.value = state.q;
  setSelectValue(dom.category, state.category);
  setSelectValue(dom.collection, state.collection);
  setSelectValue(dom.vendor, state.vendor);
  dom.min.value = state.min;
  dom.max.value = state.max;
  dom.inStock.checked = state.inStock;
  dom.sort.value = state.sort;
  updateFilterCount();
}

/** Selects a value; one that the options lack (a shared link to a gone vendor, say) is kept as its own option. */
function setSelectValue(select, value) {
  if (value && ![...select.options].some((option) => option.value === value)) {
    select.append(h('option', { value, dataset: { unknown: 'true' } }, value));
  }
  select.value = value;
}

/** Dollars as typed → integer cents; '' → undefined; anything unparsable → NaN. */
function dollarsToCents(text) {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const dollars = Number(trimmed);
  return Number.isFinite(dollars) ? Math.round(dollars * 100) : Number.NaN;
}

function activeFilterCount() {
  return [state.category, state.collection, state.vendor, state.min.trim() || state.max.trim(), state.inStock].filter(
    Boolean,
  ).length;
}

function updateFilterCount() {
  const count = activeFilterCount();
  dom.filtersCount.textContent = count ? String(count) : '';
  dom.filtersToggle.setAttribute('aria-label', count ? `Filters, ${count} active` : 'Filters');
}

// ---------- Error banner ----------

let retry = null;
/** What the banner is about ('list' or 'facets'), so a good product load does not hide a facets error. */
let errorSource = '';

function showError(message, onRetry, source = 'list') {
  dom.errorMessage.textContent = message;
  retry = onRetry ?? null;
  errorSource = source;
  dom.errorRetry.hidden = !retry;
  dom.errorBanner.hidden = false;
}

/** Hides the banner; with a source, only if the banner is about that source. */
function hideError(source) {
  if (source && source !== errorSource) return;
  dom.errorBanner.hidden = true;
  dom.errorMessage.textContent = '';
  retry = null;
  errorSource = '';
}

/** Marks the price inputs invalid when the API blamed them. */
function markPriceErrors(err) {
  const fields = new Set();
  if (err?.code === 'invalid_price_range') {
    fields.add('minPrice');
    fields.add('maxPrice');
  }
  if (Array.isArray(err?.details))
    for (const d of err.details) if (d && typeof d.field === 'string') fields.add(d.field);
  setInvalid(dom.min, fields.has('minPrice'));
  setInvalid(dom.max, fields.has('maxPrice'));
}

function setInvalid(input, invalid) {
  if (invalid) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'error-message');
  } else {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }
}

// ---------- Product list ----------

let listController = null;
let listSeq = 0;
let nextCursor = null;
let shownCount = 0;
/** Products shown on the page by id, so the dialog can open at once with what the card knows. */
const shownProducts = new Map();

function listParams() {
  const minPrice = dollarsToCents(state.min);
  const maxPrice = dollarsToCents(state.max);
  return {
    sort: state.sort,
    category: state.category || undefined,
    collection: state.collection || undefined,
    vendor: state.vendor || undefined,
    minPrice,
    maxPrice,
    inStock: state.inStock ? 'true' : undefined,
    q: state.q.trim() || undefined,
    limit: PAGE_SIZE,
  };
}

function clientSideProblem(params) {
  if (Number.isNaN(params.minPrice)) return 'Enter the minimum price as a number of dollars, such as 25 or 19.99.';
  if (Number.isNaN(params.maxPrice)) return 'Enter the maximum price as a number of dollars, such as 25 or 19.99.';
  return undefined;
}

function setBusy(busy) {
  dom.grid.setAttribute('aria-busy', busy ? 'true' : 'false');
  dom.loadMore.disabled = busy;
  dom.loadMore.textContent = busy && dom.loadMore.dataset.loading === 'true' ? 'Loading…' : 'Load more';
}

function showSkeletons() {
  dom.grid.replaceChildren(
    ...Array.from({ length: 8 }, () => h('li', { 'aria-hidden': 'true' }, h('div', { class: 'card card--skeleton' }))),
  );
}

/** Loads the first page for the current filters (replacing the grid), or the next page (appending). */
async function loadProducts({ append = false } = {}) {
  listController?.abort();
  const controller = new AbortController();
  listController = controller;
  const seq = ++listSeq;

  const params = listParams();
  if (append) params.cursor = nextCursor;

  const problem = clientSideProblem(params);
  if (problem) {
    resetResults();
    dom.status.textContent = '';
    showError(problem);
    setInvalid(dom.min, Number.isNaN(params.minPrice));
    setInvalid(dom.max, Number.isNaN(params.maxPrice));
    setBusy(false);
    return;
  }

  hideError('list');
  if (!append) {
    dom.empty.hidden = true;
    if (shownCount === 0) showSkeletons();
    dom.status.textContent = 'Loading products…';
  }
  dom.loadMore.dataset.loading = String(append);
  setBusy(true);

  try {
    const page = await apiGet('/api/products', params, controller.signal);
    if (seq !== listSeq) return;
    markPriceErrors(null);
    if (!append) resetResults();
    const firstNew = appendProducts(page.items ?? []);
    nextCursor = page.nextCursor ?? null;
    renderListChrome();
    if (append && firstNew && !nextCursor) firstNew.querySelector('.card__open')?.focus();
  } catch (err) {
    if (err?.name === 'AbortError' || seq !== listSeq) return;
    if (!append) {
      // The filters could not be applied: showing the old results under them would mislead.
      resetResults();
      dom.status.textContent = 'No products shown: see the message below.';
      markPriceErrors(err);
    }
    // A 4xx is about the request (the filters): sending it again would fail again.
    const retryable = !(err.status >= 400 && err.status < 500);
    showError(err.message, retryable ? () => loadProducts({ append }) : undefined);
  } finally {
    if (seq === listSeq) {
      dom.loadMore.dataset.loading = 'false';
      setBusy(false);
    }
  }
}

function resetResults() {
  dom.grid.replaceChildren();
  shownProducts.clear();
  shownCount = 0;
  nextCursor = null;
  dom.loadMore.hidden = true;
  dom.empty.hidden = true;
}

function renderListChrome() {
  dom.loadMore.hidden = !nextCursor;
  dom.empty.hidden = shownCount > 0;
  if (shownCount === 0) dom.status.textContent = 'No products match these filters.';
  else {
    const noun = shownCount === 1 ? 'product' : 'products';
    dom.status.textContent = nextCursor
      ? `Showing the first ${shownCount} ${noun}`
      : `Showing all ${shownCount} ${noun}`;
  }
}

/** Adds cards for the items; returns the first new card's list item. */
function appendProducts(items) {
  const fragment = document.createDocumentFragment();
  let first = null;
  for (const product of items) {
    if (shownProducts.has(product.id)) continue; // a product edited between pages can reappear; show it once
    shownProducts.set(product.id, product);
    const card = productCard(product);
    first ??= card;
    fragment.append(card);
    shownCount += 1;
  }
  dom.grid.append(fragment);
  return first;
}

function productCard(product) {
  const stock = stockInfo(product.available);
  const titleId = `product-${product.id}-title`;
  return h(
    'li',
    { 'data-testid': 'product-card', dataset: { productId: product.id, stock: stock.kind } },
    h(
      'article',
      {
        class: `card${stock.kind === 'out' ? ' card--sold-out' : ''}`,
        'aria-labelledby': titleId,
        style: { '--card-accent': `hsl(${categoryHue(product.category)} 38% 42%)` },
      },
      h('p', { class: 'card__category' }, titleCase(product.category)),
      h(
        'h2',
        { class: 'card__title', id: titleId },
        h(
          'button',
          {
            type: 'button',
            class: 'card__open',
            'aria-haspopup': 'dialog',
            'data-testid': 'product-open',
            onclick: () => openProduct(product.id),
          },
          product.name,
        ),
      ),
      h('p', { class: 'card__vendor' }, `by ${product.vendorName}`),
      h(
        'div',
        { class: 'card__foot' },
        h(
          'p',
          { class: 'card__price', 'data-testid': 'product-price' },
          formatMoney(product.priceCents, product.currency),
        ),
        stockBadge(product.available),
      ),
      cardAddButton(product, stock.kind === 'out'),
    ),
  );
}

/** The card's own "Add to cart" (one unit); it sits above the card-wide click area of .card__open. */
function cardAddButton(product, soldOut) {
  const adding = !soldOut && cart.adding.has(product.id);
  return h(
    'button',
    {
      type: 'button',
      class: `button button--secondary button--small card__add${soldOut ? ' card__add--sold-out' : ''}`,
      'data-testid': 'card-add-to-cart',
      'aria-label': soldOut ? `${product.name}: sold out` : `Add ${product.name} to cart`,
      disabled: soldOut,
      'aria-disabled': adding ? 'true' : undefined,
      onclick: (event) => void addFromCard(product, event.currentTarget),
    },
    soldOut ? 'Sold out' : adding ? 'Adding…' : 'Add to cart',
  );
}

// ---------- Facets ----------

async function loadFacets() {
  try {
    const data = await apiGet('/api/catalog/facets');
    fillSelect(
      dom.category,
      'All categories',
      (data.categories ?? []).map((c) => ({ value: c.category, label: `${titleCase(c.category)} (${c.products})` })),
    );
    fillSelect(
      dom.collection,
      'All collections',
      (data.collections ?? []).map((c) => ({ value: c.slug, label: c.name })),
    );
    fillSelect(
      dom.vendor,
      'All vendors',
      (data.vendors ?? []).map((v) => ({ value: v.slug, label: v.name })),
    );
    facets.collectionNames = new Map((data.collections ?? []).map((c) => [c.slug, c.name]));
    if (data.currency) document.getElementById('price-currency').textContent = data.currency;
    facets.loaded = true;
    // A shared link may name a vendor by id (the API takes either): show it by name.
    if (state.vendor && !(data.vendors ?? []).some((v) => v.slug === state.vendor)) {
      const byId = (data.vendors ?? []).find((v) => v.id === state.vendor);
      if (byId) state.vendor = byId.slug;
    }
    // Only the selects: the user may already be typing in the search box or price fields.
    setSelectValue(dom.category, state.category);
    setSelectValue(dom.collection, state.collection);
    setSelectValue(dom.vendor, state.vendor);
    writeUrl();
    if (dom.dialog.open && currentDialogProduct) renderDialog(currentDialogProduct);
  } catch (err) {
    showError(
      `Filters could not be loaded: ${err.message}`,
      () => {
        hideError();
        void loadFacets();
      },
      'facets',
    );
  }
}

function fillSelect(select, allLabel, options) {
  select.replaceChildren(
    h('option', { value: '' }, allLabel),
    ...options.map((o) => h('option', { value: o.value }, o.label)),
  );
}

// ---------- Product dialog ----------

let openProductId = '';
let currentDialogProduct = null;
let dialogController = null;
let dialogReturnFocus = null;

function renderDialog(product) {
  currentDialogProduct = product;
  dom.dialogCategory.textContent = titleCase(product.category);
  dom.dialogTitle.textContent = product.name;
  dom.dialogVendor.textContent = `by ${product.vendorName}`;
  dom.dialogPrice.textContent = formatMoney(product.priceCents, product.currency);
  dom.dialogStock.replaceChildren(stockBadge(product.available));
  dom.dialogDescription.textContent = product.description || 'No description yet.';
  dom.dialogSku.textContent = product.sku;
  dom.dialogAvailability.textContent =
    product.available > 0
      ? `${product.available} ${product.available === 1 ? 'unit' : 'units'} available now`
      : 'Sold out right now';
  const collections = product.collections ?? [];
  dom.dialogCollections.replaceChildren(
    collections.length
      ? h(
          'ul',
          { class: 'chips' },
          ...collections.map((slug) => h('li', {}, facets.collectionNames.get(slug) ?? titleCase(slug))),
        )
      : 'None',
  );
  dom.dialogAdded.textContent = formatDate(product.createdAt);
  syncDialogAdd();
  dom.dialogBody.hidden = false;
}

function clearDialog() {
  currentDialogProduct = null;
  dom.dialogCategory.textContent = '';
  dom.dialogTitle.textContent = 'Loading…';
  dom.dialogVendor.textContent = '';
  dom.dialogBody.hidden = true;
}

/** Opens the dialog at once with what the card knows, then refreshes it from GET /api/products/:id (stock is live). */
async function openProduct(id) {
  dialogController?.abort();
  const controller = new AbortController();
  dialogController = controller;
  openProductId = id;
  writeUrl();

  dom.dialogError.hidden = true;
  dom.dialogError.textContent = '';
  if (!dom.dialog.open || id !== currentDialogProduct?.id) resetDialogAdd();
  const known = shownProducts.get(id);
  if (known) renderDialog(known);
  else clearDialog();
  dom.dialog.classList.add('product-dialog--loading');
  dom.dialog.setAttribute('aria-busy', 'true');
  if (!dom.dialog.open) {
    dialogReturnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dom.dialog.showModal();
    dom.dialogClose.focus();
  }

  try {
    const product = await apiGet(`/api/products/${encodeURIComponent(id)}`, {}, controller.signal);
    if (dialogController !== controller) return;
    renderDialog(product);
    if (shownProducts.has(id)) {
      shownProducts.set(id, product);
      refreshCard(product);
    }
  } catch (err) {
    if (err?.name === 'AbortError' || dialogController !== controller) return;
    if (!known) dom.dialogTitle.textContent = 'Product unavailable';
    dom.dialogError.textContent = known ? `Could not refresh this product: ${err.message}` : err.message;
    dom.dialogError.hidden = false;
  } finally {
    if (dialogController === controller) {
      dom.dialog.classList.remove('product-dialog--loading');
      dom.dialog.removeAttribute('aria-busy');
    }
  }
}

/** Keeps a card in step with fresher data fetched for the dialog. */
function refreshCard(product) {
  const old = dom.grid.querySelector(`li[data-product-id="${CSS.escape(product.id)}"]`);
  if (old) old.replaceWith(productCard(product));
}

function onDialogClosed() {
  dialogController?.abort();
  dialogController = null;
  const id = openProductId;
  openProductId = '';
  writeUrl();
  // Return focus to the card that opened the dialog (re-rendered cards are found again by id).
  const target =
    dialogReturnFocus?.isConnected && dialogReturnFocus !== document.body
      ? dialogReturnFocus
      : dom.grid.querySelector(`li[data-product-id="${CSS.escape(id)}"] .card__open`);
  dialogReturnFocus = null;
  if (target instanceof HTMLElement) target.focus();
}

// ---------- Cart ----------
//
// Each cart lives in the API (a Temporal workflow per cart). The page keeps only the cart's id, in
// localStorage, and renders the cart the API last answered with: names, prices, totals and the line
// flags all come from the API, and the page only formats them.

const CART_ID_KEY = 'durable-goods.cart-id';
/** The API's limit per line (MAX_LINE_QUANTITY), used only to bound the inputs: the API still decides. */
const MAX_LINE_QUANTITY = 99;
const RETRY_DELAY_MS = 500;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const cart = {
  /** The cart's id once one exists: restored from localStorage, set by the first add. */
  id: readStoredCartId(),
  /** The last cart the API answered with; null before the first answer and after the cart is forgotten. */
  view: null,
  /** Product ids whose line has a change in flight: that line's controls are disabled. */
  busyLines: new Set(),
  /** A whole-cart change (empty, checkout) is in flight: every control is disabled. */
  busyCart: false,
  /** The checkout request is in flight. */
  checkingOut: false,
  /** Product ids being added from a card or the dialog. */
  adding: new Set(),
};

function readStoredCartId() {
  try {
    const id = localStorage.getItem(CART_ID_KEY);
    return id && UUID_PATTERN.test(id) ? id.toLowerCase() : null;
  } catch {
    return null; // storage is blocked: the cart lasts as long as the page
  }
}

function storeCartId(id) {
  try {
    if (id) localStorage.setItem(CART_ID_KEY, id);
    else localStorage.removeItem(CART_ID_KEY);
  } catch {
    // Storage is blocked: nothing to keep.
  }
}

/** A random v4 UUID. crypto.randomUUID needs a secure context (https or localhost); elsewhere build one. */
function newUuid() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One request to the cart or order API. A change (any method but GET) carries an Idempotency-Key; when
 * the network fails, the request is sent once more with the same key (unless `retry` is false, for a
 * change the API does not deduplicate), so the API applies the change at most once.
 * Answers { status, body }; a 4xx/5xx becomes an ApiError with the API's code and message.
 */
async function apiRequest(method, path, body, { retry = true, signal } = {}) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['idempotency-key'] = newUuid();
  // No content-type without a body: the API refuses an empty JSON body.
  if (body !== undefined) headers['content-type'] = 'application/json';
  // A guest's key to an order this browser placed (a signed-in customer's session is enough).
  const token = orderTokenFor(path);
  if (token) headers['x-order-token'] = token;
  const init = {
    method,
    headers,
    signal,
    cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err?.name === 'AbortError' || !retry) throw err?.name === 'AbortError' ? err : new ApiError(UNREACHABLE);
    await sleep(RETRY_DELAY_MS);
    try {
      response = await fetch(path, init);
    } catch (again) {
      if (again?.name === 'AbortError') throw again;
      throw new ApiError(UNREACHABLE);
    }
  }
  return { status: response.status, body: await readBody(response) };
}

const cartPath = (id, rest = '') => `/api/carts/${encodeURIComponent(id)}${rest}`;

let cartQueue = Promise.resolve();

/** Sends cart requests one after another, so answers are rendered in the order the changes were made. */
function inCartQueue(task) {
  const run = cartQueue.then(task);
  cartQueue = run.catch(() => {});
  return run;
}

/**
 * Creates the cart on the first add. The API makes its id and keeps it with this browser's session;
 * a create sent twice carries one Idempotency-Key, so it answers with the same cart.
 */
async function ensureCart() {
  if (cart.id) return cart.id;
  const { body } = await apiRequest('POST', '/api/carts');
  adoptCart(body);
  return cart.id;
}

/** Shows a cart the API answered with. A cart that is no longer active is forgotten: answers false. */
function adoptCart(view) {
  if (!view || view.status !== 'active') {
    forgetCart();
    return false;
  }
  cart.id = view.id;
  cart.view = view;
  storeCartId(view.id);
  renderCart();
  return true;
}

/** Drops the cart: the next add starts a new one. */
function forgetCart() {
  cart.id = null;
  cart.view = null;
  storeCartId(null);
  renderCart();
}

/** GETs the cart (on load, and when the panel opens): the API re-prices it first when its prices are stale. */
async function refreshCart({ quiet = false } = {}) {
  const id = cart.id;
  if (!id) return;
  try {
    await inCartQueue(async () => {
      if (cart.id !== id) return;
      const { body } = await apiRequest('GET', cartPath(id));
      if (cart.id === id) adoptCart(body);
    });
  } catch (err) {
    // Gone (or a mangled id in storage): start afresh on the next add.
    if (err.code === 'cart_not_found' || err.status === 400) {
      if (cart.id === id) forgetCart();
    } else if (!quiet) showCartError(`Your cart could not be loaded: ${err.message}`);
  }
}

/**
 * Runs one change to the cart: marks what it touches busy, sends it once the changes before it are done,
 * renders the cart the API answers with and announces `describe(cart)`. Answers the new cart, or null
 * after showing the API's error in the panel.
 */
async function changeCart({ line, whole = false }, send, describe) {
  if (line) cart.busyLines.add(line);
  if (whole) cart.busyCart = true;
  hideCartMessages();
  renderCart();
  try {
    const view = await inCartQueue(async () => {
      if (!cart.id) return null; // forgotten by an earlier change
      const { body } = await send(cart.id);
      adoptCart(body);
      return body;
    });
    if (view) announce(`${describe(view)} ${cartSummaryText(view)}`);
    return view;
  } catch (err) {
    handleCartError(err);
    return null;
  } finally {
    if (line) cart.busyLines.delete(line);
    if (whole) cart.busyCart = false;
    renderCart();
  }
}

/** Shows a failed change's error in the panel; a closed or vanished cart is forgotten. Answers the text shown. */
function handleCartError(err, { reveal = false } = {}) {
  let message = err?.message || 'Your cart could not be changed.';
  if (err?.code === 'cart_closed' || err?.code === 'cart_not_found') {
    forgetCart();
    message = `This cart can no longer change (${message}). Add a product to start a new cart.`;
  }
  showCartError(message, { reveal });
  return message;
}

/** Adds a product; answers { view, message } or { error, message }. */
async function addToCart(productId, quantity, { reveal = false } = {}) {
  cart.adding.add(productId);
  syncAddControls(productId);
  hideCartMessages();
  try {
    const view = await inCartQueue(async () => {
      const id = await ensureCart();
      const { body } = await apiRequest('POST', cartPath(id, '/items'), { productId, quantity });
      adoptCart(body);
      return body;
    });
    const line = view.lines.find((l) => l.productId === productId);
    const message = `Added ${quantity} × ${line?.name ?? 'the product'} to your cart.`;
    announce(`${message} ${cartSummaryText(view)}`);
    return { view, message };
  } catch (err) {
    return { error: err, message: handleCartError(err, { reveal }) };
  } finally {
    cart.adding.delete(productId);
    syncAddControls(productId);
  }
}

async function addFromCard(product, button) {
  if (isAriaDisabled(button) || cart.adding.has(product.id)) return;
  // A card has no room for the message: an error opens the panel, which shows it.
  const result = await addToCart(product.id, 1, { reveal: true });
  if (!result.error) flashAdded(product.id);
}

/** A moment of "Added ✓" on the card's button (the live region says the same to screen readers). */
function flashAdded(productId) {
  const button = cardAddButtonOf(productId);
  if (!button || button.disabled) return;
  button.textContent = 'Added ✓';
  button.classList.add('card__add--added');
  setTimeout(() => {
    if (!button.isConnected || cart.adding.has(productId)) return;
    button.textContent = 'Add to cart';
    button.classList.remove('card__add--added');
  }, 1500);
}

const cardAddButtonOf = (productId) =>
  dom.grid.querySelector(`li[data-product-id="${CSS.escape(productId)}"] [data-testid="card-add-to-cart"]`);

async function addFromDialog() {
  const product = currentDialogProduct;
  if (!product || product.available <= 0 || cart.adding.has(product.id)) return;
  dom.dialogCartStatus.textContent = '';
  dom.dialogCartError.textContent = '';
  dom.dialogViewCart.hidden = true;
  const text = dom.dialogQuantity.value.trim();
  const quantity = Number(text);
  if (text === '' || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
    dom.dialogQuantity.setAttribute('aria-invalid', 'true');
    dom.dialogCartError.textContent = `Enter a quantity from 1 to ${MAX_LINE_QUANTITY}.`;
    dom.dialogQuantity.focus();
    return;
  }
  dom.dialogQuantity.removeAttribute('aria-invalid');
  const result = await addToCart(product.id, quantity);
  if (!dom.dialog.open || currentDialogProduct?.id !== product.id) return; // the customer moved on
  if (result.error) {
    dom.dialogCartError.textContent = result.message;
  } else {
    dom.dialogCartStatus.textContent = `${result.message} ${cartSummaryText(result.view)}`;
    dom.dialogViewCart.hidden = false;
  }
}

/** The dialog's add control for the product shown: disabled when sold out, busy while its add is in flight. */
function syncDialogAdd() {
  const product = currentDialogProduct;
  const soldOut = !product || product.available <= 0;
  dom.dialogQuantity.disabled = soldOut;
  dom.dialogAdd.disabled = soldOut;
  dom.dialogAdd.textContent = soldOut ? 'Sold out' : 'Add to cart';
  setBusyControl(dom.dialogAdd, !soldOut && cart.adding.has(product.id));
}

function resetDialogAdd() {
  dom.dialogQuantity.value = '1';
  dom.dialogQuantity.removeAttribute('aria-invalid');
  dom.dialogCartStatus.textContent = '';
  dom.dialogCartError.textContent = '';
  dom.dialogViewCart.hidden = true;
}

/** Keeps a product's add buttons (its card, the dialog) in step with its add being in flight. */
function syncAddControls(productId) {
  const busy = cart.adding.has(productId);
  const button = cardAddButtonOf(productId);
  if (button && !button.disabled) {
    setBusyControl(button, busy);
    button.textContent = busy ? 'Adding…' : 'Add to cart';
    button.classList.remove('card__add--added');
  }
  if (currentDialogProduct?.id === productId) syncDialogAdd();
}

/**
 * In-flight controls are disabled with aria-disabled rather than `disabled`, so a keyboard user's focus
 * stays on the button they pressed; their handlers check isAriaDisabled.
 */
function setBusyControl(control, busy) {
  if (busy) control.setAttribute('aria-disabled', 'true');
  else control.removeAttribute('aria-disabled');
}

const isAriaDisabled = (control) => control.getAttribute('aria-disabled') === 'true';

function changeLineQuantity(line, body) {
  return changeCart(
    { line: line.productId },
    (id) => apiRequest('PATCH', cartPath(id, `/items/${encodeURIComponent(line.productId)}`), body),
    (view) => {
      const now = view.lines.find((l) => l.productId === line.productId);
      return now ? `${now.name}: quantity ${now.quantity}.` : `Removed ${line.name} from your cart.`;
    },
  );
}

async function onQuantityChange(line, input) {
  const text = input.value.trim();
  const quantity = Number(text);
  if (text === '' || !Number.isInteger(quantity) || quantity < 0 || quantity > MAX_LINE_QUANTITY) {
    input.value = input.dataset.quantity;
    showCartError(`Enter a quantity from 0 to ${MAX_LINE_QUANTITY} for ${line.name} (0 removes it).`);
    return;
  }
  if (quantity === line.quantity) return;
  const view = await changeLineQuantity(line, { quantity });
  if (!view) {
    // Refused: show the quantity the cart really has.
    const again = dom.cartLines.querySelector(`[data-focus-key="${CSS.escape(`${line.productId}|qty`)}"]`);
    if (again) again.value = again.dataset.quantity;
  }
}

function removeLine(line) {
  return changeCart(
    { line: line.productId },
    (id) => apiRequest('DELETE', cartPath(id, `/items/${encodeURIComponent(line.productId)}`)),
    () => `Removed ${line.name} from your cart.`,
  );
}

function emptyCart() {
  if (!cart.view?.lines.length || cart.busyCart) return;
  return changeCart(
    { whole: true },
    (id) => apiRequest('DELETE', cartPath(id, '/items')),
    () => 'Emptied your cart.',
  );
}

// ----- Checkout -----
//
// The cart panel's Checkout button opens a dialog with the contact, shipping and payment fields. The API
// is the one judge of what is valid: on 400 validation_failed the fields its details name are marked.

/** ISO 3166-1 alpha-2 codes the API accepts for shippingAddress.country (src/domain/address.ts). */
const COUNTRY_CODES =
  `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM
FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA
SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US
UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`.split(/\s+/);
const DEFAULT_COUNTRY = 'US';

/** The simulated provider's Stripe test payment methods, and what each one does. */
const PAYMENT_METHODS = [
  { value: 'pm_card_visa', label: 'Visa — succeeds', name: 'Visa' },
  { value: 'pm_card_mastercard', label: 'Mastercard — succeeds', name: 'Mastercard' },
  { value: 'pm_card_chargeDeclined', label: 'Test card — declined', name: 'Test card (declines)' },
  {
    value: 'pm_card_chargeDeclinedInsufficientFunds',
    label: 'Test card — declined, insufficient funds',
    name: 'Test card (insufficient funds)',
  },
  { value: 'pm_card_authenticationRequired', label: 'Test card — needs 3-D Secure', name: 'Test card (3-D Secure)' },
];
const PAY_LATER = { value: '', label: 'Pay later (choose a method on the order page)' };

let regionNames = null;
try {
  regionNames = new Intl.DisplayNames([LOCALE], { type: 'region' });
} catch {
  // No Intl.DisplayNames: the codes themselves are shown.
}

function countryName(code) {
  try {
    const name = regionNames?.of(code);
    return name && name !== code ? name : code;
  } catch {
    return code;
  }
}

/** How an order's payment method is named: a test method by what it does, a card from Stripe.js as "Card". */
const paymentMethodLabel = (id) =>
  PAYMENT_METHODS.find((m) => m.value === id)?.name ??
  (payments.provider === 'stripe' && /^pm_/.test(id) ? CARD_CHOICE.label : id);

// ----- Payment provider -----
//
// GET /api/config names the provider. With the simulated one the page offers Stripe's test PaymentMethod
// ids, as it always has. With Stripe, and only then, the page loads Stripe.js and takes cards with the Card
// Element: the browser turns the card into a PaymentMethod (stripe.createPaymentMethod) and sends only its
// id; the server creates and confirms the PaymentIntent, and 3-D Secure runs through
// stripe.handleNextAction. The test ids stay on offer beside the card field with a test key (pk_test_...),
// never with a live one. If Stripe.js cannot load, the card field's place says so and offers a retry.

const STRIPE_JS_URL = 'https://js.stripe.com/v3/';
const STRIPE_LOAD_TIMEOUT_MS = 20_000;
/** The select's value for a card typed into the card field: never sent (the PaymentMethod's id is). */
const CARD_CHOICE = { value: 'card', label: 'Card' };
const TEST_METHODS_GROUP = 'Stripe test payment methods';
const STRIPE_ACTION_UNAVAILABLE =
  'The bank’s check could not open: Stripe.js, which shows it, could not load. Check your connection (or allow js.stripe.com if a blocker stops it) and press Confirm payment again.';
const STRIPE_ACTION_UNCONFIGURED =
  'The bank’s check cannot open here: card payments are not set up on this shop (it has no Stripe publishable key).';

const payments = {
  /** 'simulated' until GET /api/config says 'stripe'. */
  provider: 'simulated',
  /** GET /api/config: 'pending', 'loaded' or 'failed' (then the page goes on as with the simulated provider). */
  config: 'pending',
  publishableKey: '',
  /** A pk_test_ key: Stripe's test PaymentMethod ids work too, so they are offered beside the card field. */
  testMode: false,
  /** Stripe.js: 'off' (simulated), 'unconfigured' (no publishable key), 'loading', 'ready' or 'failed'. */
  status: 'off',
  /** The Stripe object, once Stripe.js has loaded. */
  stripe: null,
  /** startStripe's promise while Stripe.js loads. */
  starting: null,
};

/** The two card fields (checkout, and paying a waiting order): each has its own Elements group and Card Element. */
const cardFields = {
  checkout: {
    select: dom.checkoutPayment,
    wrapper: dom.checkoutCardField,
    label: dom.checkoutCardLabel,
    input: dom.checkoutCard,
    status: dom.checkoutCardStatus,
    error: dom.checkoutCardError,
    retry: dom.checkoutCardRetry,
    payLater: true,
    /** The customer picked a method themselves: a change of the options keeps it if it can. */
    chosen: false,
    element: null,
    ready: false,
    failed: false,
    retrying: false,
  },
  order: {
    select: dom.orderPayMethod,
    wrapper: dom.orderPayCardField,
    label: dom.orderPayCardLabel,
    input: dom.orderPayCard,
    status: dom.orderPayCardStatus,
    error: dom.orderPayCardError,
    retry: dom.orderPayCardRetry,
    payLater: false,
    /** The customer picked a method themselves: a change of the options keeps it if it can. */
    chosen: false,
    element: null,
    ready: false,
    failed: false,
    retrying: false,
  },
};

let configRequest = null;

/** GET /api/config. A failure is quiet: the page works as with the simulated provider and asks again later. */
function loadPaymentConfig() {
  if (payments.config === 'loaded') return Promise.resolve();
  configRequest ??= apiGet('/api/config')
    .then(applyPaymentConfig, () => {
      payments.config = 'failed';
    })
    .finally(() => {
      configRequest = null;
    });
  return configRequest;
}

function applyPaymentConfig(config) {
  payments.config = 'loaded';
  if (config?.paymentProvider !== 'stripe') return; // the simulated provider: the page as it always was
  payments.provider = 'stripe';
  const key = typeof config.stripePublishableKey === 'string' ? config.stripePublishableKey.trim() : '';
  payments.publishableKey = key;
  payments.testMode = key.startsWith('pk_test_');
  payments.status = key ? 'loading' : 'unconfigured';
  dom.checkoutPaymentProvider.textContent = payments.testMode
    ? 'Payments by Stripe, in test mode: nothing is charged. Enter a test card, or pick one of Stripe’s test payment methods.'
    : 'Payments by Stripe: when you pay, the amount is held on your card and charged only for what ships.';
  renderPaymentChoices({ reset: true });
  if (order.view) renderOrderPayment(order.view);
  void startStripe();
}

/** Loads Stripe.js from js.stripe.com (Stripe asks that it never be bundled or self-hosted). Answers window.Stripe. */
function loadStripeJs() {
  if (typeof window.Stripe === 'function') return Promise.resolve(window.Stripe);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = STRIPE_JS_URL;
    script.async = true;
    let timer = null;
    const settle = (error) => {
      clearTimeout(timer);
      if (!error && typeof window.Stripe === 'function') {
        resolve(window.Stripe);
        return;
      }
      script.remove(); // a retry inserts a fresh tag
      reject(error ?? new Error('Stripe.js loaded but did not define Stripe.'));
    };
    // A blocked or stalled request may never answer: give up after a while (the retry button tries again).
    timer = setTimeout(() => settle(new Error('Stripe.js took too long to load.')), STRIPE_LOAD_TIMEOUT_MS);
    script.addEventListener('load', () => settle(), { once: true });
    script.addEventListener('error', () => settle(new Error('Stripe.js could not load.')), { once: true });
    document.head.append(script);
  });
}

/** Loads Stripe.js once and mounts both card fields; answers once that has succeeded or failed. */
function startStripe() {
  if (!payments.publishableKey) return Promise.resolve();
  if (payments.stripe) return Promise.resolve();
  payments.starting ??= (async () => {
    payments.status = 'loading';
    renderPaymentChoices();
    try {
      const StripeJs = await loadStripeJs();
      payments.stripe = StripeJs(payments.publishableKey);
      payments.status = 'ready';
      for (const field of Object.values(cardFields)) mountCard(field);
    } catch {
      payments.status = 'failed';
      for (const field of Object.values(cardFields)) field.retrying = false;
    } finally {
      payments.starting = null;
      renderPaymentChoices();
    }
  })();
  return payments.starting;
}

/** Mounts a Card Element in a card field (again, after a failed one). */
function mountCard(field) {
  if (field.element && !field.failed) return;
  try {
    field.element?.destroy();
  } catch {
    // Already gone: nothing to undo.
  }
  field.element = null;
  field.ready = false;
  field.failed = false;
  const fail = () => {
    field.failed = true;
    field.retrying = false;
    renderPaymentChoices();
  };
  try {
    const element = payments.stripe.elements().create('card', {
      style: cardStyle(),
      classes: { focus: 'card-input--focus', invalid: 'card-input--invalid' },
      // The server takes card PaymentMethods only; Link would add a way to pay it does not expect.
      disableLink: true,
    });
    field.element = element;
    element.on('change', (event) => {
      if (field.element === element) setCardError(field, event?.error?.message ?? '');
    });
    element.on('ready', () => {
      if (field.element !== element) return;
      const retried = document.activeElement === field.retry;
      field.ready = true;
      field.retrying = false;
      renderPaymentChoices();
      if (retried) element.focus(); // the retry button goes away: the field it brought back takes the focus
    });
    // Newer events: an older Stripe.js that refuses them still gives a working field.
    const listen = (name, handler) => {
      try {
        element.on(name, handler);
      } catch {
        // Not supported: the field works without it.
      }
    };
    listen('loaderror', () => {
      if (field.element === element) fail();
    });
    listen('escape', () => {
      // Escape inside Stripe's frame never reaches the dialog: close it as the dialog itself would.
      if (field === cardFields.checkout && dom.checkoutDialog.open && !cart.checkingOut) dom.checkoutDialog.close();
    });
    element.mount(field.input);
  } catch {
    fail();
  }
}

/** The look of Stripe's card inputs (drawn in Stripe's frame, so the page's CSS cannot reach them). */
function cardStyle() {
  const css = window.getComputedStyle(document.documentElement);
  const token = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const muted = token('--text-muted', '#57534e');
  const error = token('--error-text', '#8a1414');
  return {
    base: {
      color: token('--text', '#1c1b19'),
      fontFamily: token('--font', 'system-ui, sans-serif'),
      fontSize: '16px',
      iconColor: muted,
      '::placeholder': { color: muted },
    },
    invalid: { color: error, iconColor: error },
  };
}

/** A card field's state: 'off' (simulated), 'unconfigured', 'loading', 'ready' or 'failed'. */
function cardState(field) {
  if (['off', 'unconfigured', 'failed'].includes(payments.status)) return payments.status;
  if (field.failed) return 'failed';
  return payments.status === 'ready' && field.ready ? 'ready' : 'loading';
}

function cardStatusText(field, state) {
  if (state === 'loading') return 'Loading the secure card field from Stripe…';
  if (state === 'ready')
    return payments.testMode
      ? 'Test mode: use card 4242 4242 4242 4242 with any future date and any CVC; 4000 0027 6000 3184 asks for 3-D Secure.'
      : 'Your card details go straight to Stripe, our payment provider: this shop never sees them.';
  const problem =
    state === 'unconfigured'
      ? 'Card payments are not set up on this shop yet (it has no Stripe publishable key).'
      : 'Card payments are unavailable: the secure card field from Stripe could not load. Check your connection (or allow js.stripe.com if a blocker stops it) and try again.';
  const instead = payments.testMode
    ? ' Meanwhile you can pay with one of Stripe’s test payment methods.'
    : field.payLater
      ? ' You can still place the order and pay on its page later.'
      : '';
  return problem + instead;
}

const filledChoices = new WeakMap();

/**
 * Fills a payment select: "Card" (Stripe, while its field can work), Stripe's test methods (the simulated
 * provider, or a Stripe test key) and "Pay later" (checkout). Keeps the customer's own choice (`keep`) when it
 * is still offered; otherwise the first option is chosen.
 */
function fillPaymentSelect(select, { card, tests, payLater, keep, reset }) {
  const key = `${card}|${tests.length}|${payLater}`;
  if (!reset && filledChoices.get(select) === key) return;
  const previous = keep && filledChoices.has(select) ? select.value : null;
  filledChoices.set(select, key);
  const option = (m) => h('option', { value: m.value }, m.label);
  const testOptions = tests.map(option);
  select.replaceChildren(
    ...(card ? [option(CARD_CHOICE)] : []),
    ...(card && testOptions.length ? [h('optgroup', { label: TEST_METHODS_GROUP }, testOptions)] : testOptions),
    ...(payLater ? [option(PAY_LATER)] : []),
  );
  const values = [...select.options].map((o) => o.value);
  select.value = previous !== null && values.includes(previous) ? previous : (values[0] ?? '');
}

/** Both payment selects and card fields, in step with the provider and Stripe.js. */
function renderPaymentChoices({ reset = false } = {}) {
  const stripe = payments.provider === 'stripe';
  const tests = stripe && !payments.testMode ? [] : PAYMENT_METHODS;
  for (const field of Object.values(cardFields)) {
    const state = cardState(field);
    const card = stripe && (state === 'loading' || state === 'ready');
    if (reset) field.chosen = false;
    fillPaymentSelect(field.select, { card, tests, payLater: field.payLater, keep: field.chosen, reset });
    renderCardField(field, state);
  }
  if (!stripe) return;
  // The order's pay form stacks (method, card, button); a lone choice needs no select, and no choice no button.
  const choices = dom.orderPayMethod.options.length;
  dom.orderPayForm.classList.add('order-pay--card');
  hideKeepingFocus(dom.orderPayMethod.closest('.field') ?? dom.orderPayMethod, choices < 2);
  hideKeepingFocus(dom.orderPaySubmit, choices === 0);
}

/** A card field: shown while "Card" is chosen, or when cards cannot work, to say why (and retry if that can help). */
function renderCardField(field, state) {
  if (state === 'off') {
    field.wrapper.hidden = true;
    return;
  }
  const usable = state === 'loading' || state === 'ready';
  const shown = !usable || field.select.value === CARD_CHOICE.value;
  field.wrapper.hidden = !shown;
  field.label.hidden = !usable;
  field.input.hidden = !usable;
  field.status.className = usable ? 'field-hint' : 'field-error';
  const status = cardStatusText(field, state);
  if (field.status.textContent !== status) field.status.textContent = status; // unchanged text is not re-announced
  field.retry.hidden = !(state === 'failed' || field.retrying);
  setBusyControl(field.retry, field.retrying);
  field.retry.textContent = field.retrying ? 'Loading…' : 'Try loading it again';
  if (!shown || !usable) setCardError(field, '');
}

function setCardError(field, message) {
  if (field.error.textContent !== message) field.error.textContent = message;
}

/** Focus for a card problem: the card input, or what stands in its place. */
function focusCard(field) {
  if (field.element && !field.input.hidden && !field.wrapper.hidden) field.element.focus();
  else if (!field.retry.hidden && !field.wrapper.hidden) field.retry.focus();
  else field.select.focus();
}

/** The retry button: loads Stripe.js (or this card field) again, with "Card" chosen, as that is what it is for. */
function retryCard(field) {
  if (isAriaDisabled(field.retry) || cardState(field) !== 'failed') return;
  field.retrying = true;
  if (payments.stripe) mountCard(field);
  else void startStripe();
  renderPaymentChoices();
  if ([...field.select.options].some((o) => o.value === CARD_CHOICE.value)) {
    field.select.value = CARD_CHOICE.value;
    field.chosen = true;
    renderPaymentChoices();
  }
}

/**
 * Turns the card typed into a card field into a Stripe PaymentMethod. Answers { id } or { error } (a message
 * for the card field: Stripe's own, such as "Your card number is incomplete.").
 */
async function createCardPaymentMethod(field) {
  const state = cardState(field);
  if (!payments.stripe || !field.element || (state !== 'loading' && state !== 'ready'))
    return {
      error:
        state === 'loading' ? 'The card field is still loading: try again in a moment.' : cardStatusText(field, state),
    };
  try {
    const result = await payments.stripe.createPaymentMethod({ type: 'card', card: field.element });
    const id = result?.paymentMethod?.id;
    if (typeof id === 'string' && id.startsWith('pm_')) return { id };
    return { error: result?.error?.message || 'Your card could not be read. Check its details and try again.' };
  } catch {
    return { error: 'Your card could not be sent to Stripe. Check your connection and try again.' };
  }
}

/** The Stripe object for 3-D Secure, loading Stripe.js first if it has not loaded yet (a retry); null without it. */
async function ensureStripe() {
  if (!payments.stripe) await startStripe();
  return payments.stripe;
}

/** The client secret Stripe.js needs for a next action, when the provider is Stripe and the API sent one. */
function stripeClientSecret(nextAction) {
  const secret = nextAction?.clientSecret;
  return payments.provider === 'stripe' && typeof secret === 'string' && secret ? secret : '';
}

/** API field name (as in validation details) → the input it is about. */
const checkoutFields = {
  email: dom.checkoutEmail,
  'shippingAddress.name': dom.checkoutName,
  'shippingAddress.line1': dom.checkoutLine1,
  'shippingAddress.line2': dom.checkoutLine2,
  'shippingAddress.city': dom.checkoutCity,
  'shippingAddress.region': dom.checkoutRegion,
  'shippingAddress.postalCode': dom.checkoutPostalCode,
  'shippingAddress.country': dom.checkoutCountry,
  paymentMethod: dom.checkoutPayment,
};
const checkoutInputs = Object.values(checkoutFields);
const fieldError = (input) => document.getElementById(`${input.id}-error`);

function fillCheckoutSelects() {
  const countries = COUNTRY_CODES.map((code) => ({ code, name: countryName(code) })).sort((a, b) =>
    a.name.localeCompare(b.name, LOCALE),
  );
  dom.checkoutCountry.replaceChildren(...countries.map((c) => h('option', { value: c.code }, c.name)));
  dom.checkoutCountry.value = DEFAULT_COUNTRY;
  renderPaymentChoices();
}

let checkoutReturnFocus = null;

function openCheckout() {
  if (!cart.id || !cart.view?.lines.length || cart.busyCart) return;
  if (payments.config === 'failed') void loadPaymentConfig();
  hideCartMessages();
  hideCheckoutError();
  renderCheckout();
  checkoutReturnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : dom.cartCheckout;
  dom.checkoutDialog.showModal();
  (checkoutInputs.find((input) => input.getAttribute('aria-invalid') === 'true') ?? dom.checkoutEmail).focus();
}

function onCheckoutClosed() {
  const target = checkoutReturnFocus;
  checkoutReturnFocus = null;
  // After an accepted checkout the order page has the focus; otherwise go back to where the dialog opened.
  if (order.id || !target) return;
  if (target.isConnected && !target.closest('[hidden]')) target.focus();
  else if (!dom.cartPanel.hidden) dom.cartTitle.focus();
}

/** The dialog's summary and submit button, in step with the cart and the request in flight. */
function renderCheckout() {
  const view = cart.view;
  dom.checkoutSummary.textContent = view?.lines.length
    ? `${itemsLabel(view.itemCount)} · total ${formatMoney(view.totalCents, view.currency)}`
    : 'Your cart is empty.';
  setBusyControl(dom.checkoutSubmit, cart.checkingOut);
  dom.checkoutSubmit.textContent = cart.checkingOut
    ? 'Placing your order…'
    : view?.lines.length
      ? `Place order · ${formatMoney(view.totalCents, view.currency)}`
      : 'Place order';
}

function readCheckoutForm() {
  const value = (input) => input.value.trim();
  const shippingAddress = {
    name: value(dom.checkoutName),
    line1: value(dom.checkoutLine1),
    city: value(dom.checkoutCity),
    postalCode: value(dom.checkoutPostalCode),
    country: dom.checkoutCountry.value,
  };
  // Optional parts are left out rather than sent empty.
  if (value(dom.checkoutLine2)) shippingAddress.line2 = value(dom.checkoutLine2);
  if (value(dom.checkoutRegion)) shippingAddress.region = value(dom.checkoutRegion);
  const body = { email: value(dom.checkoutEmail), shippingAddress };
  // "Card" is sent as the PaymentMethod that checkout() creates from the card field.
  if (dom.checkoutPayment.value && dom.checkoutPayment.value !== CARD_CHOICE.value)
    body.paymentMethod = dom.checkoutPayment.value;
  return body;
}

function setFieldError(input, message) {
  const error = fieldError(input);
  if (message) {
    input.setAttribute('aria-invalid', 'true');
    if (error) error.textContent = message;
  } else {
    input.removeAttribute('aria-invalid');
    if (error) error.textContent = '';
  }
}

function clearCheckoutErrors() {
  for (const input of checkoutInputs) setFieldError(input, '');
  setCardError(cardFields.checkout, '');
  hideCheckoutError();
}

function showCheckoutError(message) {
  dom.checkoutErrorText.textContent = message;
  dom.checkoutError.hidden = false;
}

function hideCheckoutError() {
  dom.checkoutError.hidden = true;
  dom.checkoutErrorText.textContent = '';
}

/**
 * The API's validation messages are the schema validator's ("must match pattern …"): for the fields
 * this form has, say the same thing in words a customer can act on; anything else is shown as sent.
 */
function friendlyFieldMessage(field, message) {
  const text = String(message ?? '');
  if (/is required|fewer than 1 characters|pattern "\\S"/.test(text)) return 'Please fill this in.';
  const max = /more than (\d+) characters/.exec(text);
  if (max) return `Use at most ${max[1]} characters.`;
  if (field === 'email') return 'Enter an email address such as name@example.com.';
  if (field === 'shippingAddress.postalCode')
    return /fewer than/.test(text)
      ? 'Enter at least 2 characters.'
      : 'Use letters, digits, spaces or hyphens, starting and ending with a letter or digit.';
  if (field === 'shippingAddress.country') return 'Choose a country from the list.';
  if (field === 'paymentMethod') return 'Choose a payment method from the list.';
  return text || 'This is not valid.';
}

/** Marks the fields a validation_failed answer names and focuses the first; answers false if none matched. */
function markCheckoutFields(details) {
  const list = Array.isArray(details) ? details : [];
  let marked = false;
  const elsewhere = [];
  for (const detail of list) {
    const input = typeof detail?.field === 'string' ? checkoutFields[detail.field] : undefined;
    if (input && detail.in === 'body') {
      setFieldError(input, friendlyFieldMessage(detail.field, detail.message));
      marked = true;
    } else if (detail) elsewhere.push(detail);
  }
  if (elsewhere.length)
    showCheckoutError(elsewhere.map((d) => [d.field, d.message].filter(Boolean).join(' ')).join('; '));
  const first = checkoutInputs.find((input) => input.getAttribute('aria-invalid') === 'true');
  first?.focus();
  return marked;
}

/**
 * Checkout: POST /api/carts/:id/checkout with the form's details. The API answers 202
 * { orderId, status, statusUrl } (handled by onCheckoutAccepted) or an error shown in the dialog.
 * With "Card" (Stripe), the card becomes a PaymentMethod first and its id is sent.
 */
async function checkout() {
  if (cart.busyCart) return;
  if (!cart.id || !cart.view?.lines.length) {
    showCheckoutError('Your cart is empty: add something before checking out.');
    return;
  }
  const details = readCheckoutForm();
  const withCard = dom.checkoutPayment.value === CARD_CHOICE.value;
  cart.busyCart = true;
  cart.checkingOut = true;
  clearCheckoutErrors();
  hideCartMessages();
  renderCart();
  renderCheckout();
  try {
    if (withCard) {
      const card = await createCardPaymentMethod(cardFields.checkout);
      if (card.error) {
        setCardError(cardFields.checkout, card.error);
        focusCard(cardFields.checkout);
        return;
      }
      details.paymentMethod = card.id;
    }
    const { status, body } = await inCartQueue(() =>
      cart.id ? apiRequest('POST', cartPath(cart.id, '/checkout'), details) : { status: 0, body: null },
    );
    if (status === 202) onCheckoutAccepted(body);
    else showCheckoutError('Your cart is empty: add something before checking out.');
  } catch (err) {
    if (err.code === 'validation_failed' && markCheckoutFields(err.details)) return;
    const message = err.code === 'cart_closed' || err.code === 'cart_not_found' ? handleCartError(err) : err.message;
    showCheckoutError(message);
    dom.checkoutError.scrollIntoView({ block: 'nearest' });
  } finally {
    cart.busyCart = false;
    cart.checkingOut = false;
    renderCart();
    renderCheckout();
  }
}

/**
 * The checkout was accepted (202): the cart is now an order. The page forgets the cart and opens the
 * order's tracking page (/?order=<orderId>), which follows the order through the API.
 */
function onCheckoutAccepted(accepted) {
  rememberOrderToken(accepted.orderId, accepted.accessToken);
  forgetCart();
  cardFields.checkout.element?.clear();
  closeCartPanel();
  // Closed first: closing a modal dialog puts focus back where it was, and the order page takes it next.
  checkoutReturnFocus = null;
  dom.checkoutDialog.close();
  openOrderView(accepted.orderId, {
    mode: 'push',
    focus: true,
    accepted,
    announce: `Thank you! Your order is placed (${statusLabel(accepted.status)}).`,
  });
}

function wireCheckout() {
  fillCheckoutSelects();
  dom.checkoutForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!isAriaDisabled(dom.checkoutSubmit)) void checkout();
  });
  for (const input of checkoutInputs) {
    const clear = () => {
      if (input.getAttribute('aria-invalid') === 'true') setFieldError(input, '');
    };
    input.addEventListener('input', clear);
    input.addEventListener('change', clear);
  }
  dom.checkoutPayment.addEventListener('change', () => {
    cardFields.checkout.chosen = true;
    renderPaymentChoices();
  });
  dom.checkoutCardRetry.addEventListener('click', () => retryCard(cardFields.checkout));
  dom.checkoutClose.addEventListener('click', () => dom.checkoutDialog.close());
  dom.checkoutBack.addEventListener('click', () => dom.checkoutDialog.close());
  dom.checkoutDialog.addEventListener('close', onCheckoutClosed);
  // A request in flight keeps the dialog open: its answer decides where the customer goes next.
  dom.checkoutDialog.addEventListener('cancel', (event) => {
    if (cart.checkingOut) event.preventDefault();
  });
}

// ----- Cart rendering -----

const itemsLabel = (n) => `${n} ${n === 1 ? 'item' : 'items'}`;

function cartSummaryText(view) {
  return `Your cart has ${itemsLabel(view.itemCount)}, total ${formatMoney(view.totalCents, view.currency)}.`;
}

/** Says something in the cart's live region (the panel may be hidden). */
function announce(text) {
  // The same words twice in a row would not be read again: vary them invisibly.
  dom.cartStatus.textContent = dom.cartStatus.textContent === text ? `${text}\u00a0` : text;
}

function showCartError(message, { reveal = false } = {}) {
  dom.cartErrorText.textContent = message;
  dom.cartError.hidden = false;
  if (!reveal) return;
  if (dom.cartPanel.hidden) openCartPanel({ focus: false });
  // Where the panel sits above the products (narrower screens) it may be out of sight: go to it.
  const box = dom.cartError.getBoundingClientRect();
  const headerBottom = document.querySelector('.site-header')?.getBoundingClientRect().bottom ?? 0;
  if (box.top < headerBottom || box.bottom > window.innerHeight) dom.cartTitle.focus();
}

function hideCartMessages() {
  dom.cartError.hidden = true;
  dom.cartErrorText.textContent = '';
  dom.cartNotice.hidden = true;
  dom.cartNoticeTitle.textContent = '';
  dom.cartNoticeText.textContent = '';
}

function renderCart() {
  const view = cart.view;
  const count = view?.itemCount ?? 0;
  const lines = view?.lines ?? [];
  dom.cartCount.textContent = String(count);
  dom.cartButton.setAttribute('aria-label', `Cart, ${itemsLabel(count)}`);
  dom.cartButton.dataset.count = String(count);

  dom.cartEmpty.hidden = lines.length > 0;
  renderCartLines(lines, view?.currency ?? 'USD');
  dom.cartSummary.hidden = lines.length === 0;
  dom.cartItemCount.textContent = String(count);
  dom.cartTotal.textContent = view ? formatMoney(view.totalCents, view.currency) : '';

  dom.cartCheckout.disabled = lines.length === 0;
  dom.cartClear.disabled = lines.length === 0;
  setBusyControl(dom.cartCheckout, cart.busyCart);
  setBusyControl(dom.cartClear, cart.busyCart);
  dom.cartCheckout.textContent = cart.checkingOut ? 'Checking out…' : 'Checkout';
  dom.cartPanel.setAttribute('aria-busy', String(cart.busyCart || cart.busyLines.size > 0));
}

/** Rebuilds the lines, keeping focus on the same control (or, for a removed line, on its neighbour's). */
function renderCartLines(lines, currency) {
  const active = document.activeElement;
  const focused = active instanceof HTMLElement && dom.cartLines.contains(active) ? active : null;
  const focusKey = focused?.dataset.focusKey;
  const oldIndex = focused ? [...dom.cartLines.children].indexOf(focused.closest('li')) : -1;
  // A quantity being typed but not yet sent is kept.
  const typed =
    focused instanceof HTMLInputElement && focused.value !== focused.dataset.quantity ? focused.value : null;

  dom.cartLines.replaceChildren(...lines.map((line) => cartLineItem(line, currency)));
  if (!focusKey) return;

  let target = dom.cartLines.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
  if (target && typed !== null) target.value = typed;
  if (!target) {
    const part = focusKey.split('|')[1];
    const neighbour = dom.cartLines.children[Math.min(oldIndex, dom.cartLines.children.length - 1)];
    target = neighbour?.querySelector(`[data-focus-part="${part}"]`) ?? dom.cartTitle;
  }
  target.focus();
}

function cartLineItem(line, currency) {
  const busy = cart.busyLines.has(line.productId) || cart.busyCart;
  const focus = (part) => ({ focusKey: `${line.productId}|${part}`, focusPart: part });
  const guarded = (fn) => (event) => {
    if (!isAriaDisabled(event.currentTarget)) void fn();
  };
  const flags = [];
  if (line.priceChanged) {
    flags.push(
      h(
        'li',
        { class: 'flag flag--price', 'data-testid': 'cart-line-price-changed' },
        line.previousUnitPriceCents === null
          ? 'Price changed'
          : `Price changed from ${formatMoney(line.previousUnitPriceCents, currency)}`,
      ),
    );
  }
  if (line.outOfStock)
    flags.push(h('li', { class: 'flag flag--out', 'data-testid': 'cart-line-out-of-stock' }, 'Out of stock'));
  else if (line.insufficientStock)
    flags.push(
      h(
        'li',
        { class: 'flag flag--low', 'data-testid': 'cart-line-insufficient-stock' },
        `Only ${line.available} available`,
      ),
    );

  const busyAttr = busy ? 'true' : undefined;
  return h(
    'li',
    {
      class: `cart-line${busy ? ' cart-line--busy' : ''}`,
      'data-testid': 'cart-line',
      'aria-busy': busy ? 'true' : 'false',
      dataset: { productId: line.productId },
    },
    h('p', { class: 'cart-line__name', 'data-testid': 'cart-line-name' }, line.name),
    h(
      'p',
      { class: 'cart-line__meta' },
      h('span', { class: 'cart-line__sku' }, 'SKU ', h('span', { 'data-testid': 'cart-line-sku' }, line.sku)),
      h(
        'span',
        { class: 'cart-line__unit' },
        h('span', { 'data-testid': 'cart-line-unit-price' }, formatMoney(line.unitPriceCents, currency)),
        ' each',
      ),
    ),
    flags.length ? h('ul', { class: 'cart-line__flags', 'aria-label': `Notes on ${line.name}` }, flags) : null,
    h(
      'div',
      { class: 'cart-line__controls' },
      h(
        'div',
        { class: 'stepper', role: 'group', 'aria-label': `Quantity of ${line.name}` },
        h(
          'button',
          {
            type: 'button',
            class: 'stepper__button',
            'aria-label': line.quantity === 1 ? `Remove one ${line.name} (removes it)` : `Remove one ${line.name}`,
            'aria-disabled': busyAttr,
            'data-testid': 'cart-line-decrease',
            dataset: focus('decrease'),
            onclick: guarded(() => changeLineQuantity(line, { delta: -1 })),
          },
          '−',
        ),
        h('input', {
          type: 'number',
          class: 'stepper__input',
          inputmode: 'numeric',
          min: 0,
          max: MAX_LINE_QUANTITY,
          step: 1,
          value: line.quantity,
          'aria-label': `Quantity of ${line.name}`,
          readonly: busy,
          'aria-disabled': busyAttr,
          'data-testid': 'cart-line-quantity',
          dataset: { ...focus('qty'), quantity: String(line.quantity) },
          onchange: (event) => void onQuantityChange(line, event.currentTarget),
        }),
        h(
          'button',
          {
            type: 'button',
            class: 'stepper__button',
            'aria-label': `Add one ${line.name}`,
            'aria-disabled': busyAttr,
            'data-testid': 'cart-line-increase',
            dataset: focus('increase'),
            onclick: guarded(() => changeLineQuantity(line, { delta: 1 })),
          },
          '+',
        ),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'button button--link cart-line__remove',
          'aria-label': `Remove ${line.name} from your cart`,
          'aria-disabled': busyAttr,
          'data-testid': 'cart-line-remove',
          dataset: focus('remove'),
          onclick: guarded(() => removeLine(line)),
        },
        'Remove',
      ),
    ),
    h(
      'p',
      { class: 'cart-line__total' },
      h('span', { class: 'visually-hidden' }, 'Line total '),
      h('span', { 'data-testid': 'cart-line-total' }, formatMoney(line.lineTotalCents, currency)),
    ),
  );
}

// ----- Cart panel -----

function openCartPanel({ focus = true } = {}) {
  const wasHidden = dom.cartPanel.hidden;
  dom.cartPanel.hidden = false;
  dom.cartButton.setAttribute('aria-expanded', 'true');
  // Focusing the heading also scrolls the panel into view where it sits above the products (narrow screens).
  if (focus) dom.cartTitle.focus();
  if (wasHidden) void refreshCart({ quiet: true });
}

function closeCartPanel() {
  const hadFocus = dom.cartPanel.contains(document.activeElement);
  dom.cartPanel.hidden = true;
  dom.cartButton.setAttribute('aria-expanded', 'false');
  if (hadFocus) dom.cartButton.focus();
}

function wireCart() {
  dom.cartButton.addEventListener('click', () => {
    // On an order's page the cart lives with the catalog: go back there first.
    if (order.id) {
      closeOrderView({ mode: 'push', focus: false });
      openCartPanel();
    } else if (dom.cartPanel.hidden) openCartPanel();
    else closeCartPanel();
  });
  dom.cartClose.addEventListener('click', closeCartPanel);
  dom.cartPanel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeCartPanel();
  });
  dom.cartErrorDismiss.addEventListener('click', () => {
    dom.cartError.hidden = true;
    dom.cartTitle.focus();
  });
  dom.cartNoticeDismiss.addEventListener('click', () => {
    dom.cartNotice.hidden = true;
    dom.cartTitle.focus();
  });
  dom.cartClear.addEventListener('click', () => {
    if (!isAriaDisabled(dom.cartClear)) void emptyCart();
  });
  dom.cartCheckout.addEventListener('click', () => {
    if (!isAriaDisabled(dom.cartCheckout)) openCheckout();
  });

  dom.dialogCartForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!isAriaDisabled(dom.dialogAdd)) void addFromDialog();
  });
  dom.dialogQuantity.addEventListener('input', () => dom.dialogQuantity.removeAttribute('aria-invalid'));
  dom.dialogViewCart.addEventListener('click', () => {
    // After the dialog's own close handler (which returns focus to the card), open the panel.
    dom.dialog.addEventListener('close', () => openCartPanel(), { once: true });
    dom.dialog.close();
  });

  // Another tab started, emptied or forgot the cart: follow it.
  window.addEventListener('storage', (event) => {
    if (event.key !== CART_ID_KEY && event.key !== null) return;
    cart.id = readStoredCartId();
    cart.view = null;
    renderCart();
    void refreshCart({ quiet: true });
  });
}

// ---------- Order tracking ----------
//
// /?order=<id> shows one order instead of the catalog: the page polls GET /api/orders/:id while the
// order is still moving and renders what the API answers (the order workflow's own view). The controls
// (pay, confirm, cancel) are fixed parts of the page that are only shown, hidden and relabelled, so an
// update never takes the focus away from them.

const ORDER_POLL_MS = 1500;
const ORDER_RETRY_MAX_MS = 10_000;
/** After a checkout, the first GET waits this long (see openOrderView); a miss before any answer retries soon. */
const FIRST_LOOK_DELAY_MS = 700;
const FIRST_LOOK_RETRY_MS = 600;
const FINAL_STATUSES = new Set(['delivered', 'cancelled']);
const CANCELLABLE_STATUSES = new Set([
  'placed',
  'awaiting_payment',
  'authorized',
  'backordered',
  'reserved',
  'picking',
]);
/** The happy path, in order; backordered is shown only for an order that waited for stock. */
const ORDER_STEPS = [
  'placed',
  'awaiting_payment',
  'authorized',
  'backordered',
  'reserved',
  'picking',
  'shipped',
  'delivered',
];
const STATUS_LABELS = {
  placed: 'Placed',
  awaiting_payment: 'Awaiting payment',
  authorized: 'Payment authorized',
  backordered: 'Backordered',
  reserved: 'Stock reserved',
  picking: 'Picking',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};
const CANCEL_REASONS = {
  customer: 'You cancelled this order.',
  payment_failed: 'The payment failed.',
  payment_timeout: 'No payment arrived in time.',
  backorder_timeout: 'The products did not come back in stock in time.',
  unavailable: 'The products are no longer sold.',
  operator: 'The shop cancelled this order.',
};
const LINE_STATUSES = {
  pending: 'Pending',
  held: 'Held',
  backordered: 'Backordered',
  shipped: 'Shipped',
  cancelled: 'Cancelled',
};
const PAYMENT_STEPS = {
  none: 'Not started',
  authorizing: 'Authorizing…',
  requires_action: 'Needs your confirmation',
  authorized: 'Authorized',
  declined: 'Declined',
  captured: 'Paid',
  voided: 'Hold released (voided)',
};

const statusLabel = (status) => STATUS_LABELS[status] ?? titleCase(String(status ?? ''));
const reasonText = (reason) => CANCEL_REASONS[reason] ?? (reason ? titleCase(reason) : '');

const order = {
  /** The order on show ('' when the catalog is shown). */
  id: '',
  /** The last order the API answered with. */
  view: null,
  timer: null,
  controller: null,
  /** Failed polls in a row: they slow the polling down. */
  failures: 0,
  paying: false,
  cancelling: false,
  /** Stripe.js is showing the bank's 3-D Secure check. */
  confirming: false,
  /** What Stripe.js said when the check failed: shown until the payment moves on. */
  actionError: '',
  /** Said in the live region once the first answer is in (after a checkout, say). */
  firstAnnouncement: '',
  lastChecked: null,
};

const ORIGINAL_TITLE = document.title;
const timeFormat = new Intl.DateTimeFormat(LOCALE, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
});

function formatTime(iso, format = dateTimeFormat) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : format.format(date);
}

/** Says something in the order page's live region. */
function announceOrder(text) {
  if (!text) return;
  dom.orderLive.textContent = dom.orderLive.textContent === text ? `${text}\u00a0` : text;
}

/** Hides an element; focus inside it moves to the order's heading first, rather than falling to the body. */
function hideKeepingFocus(node, hidden = true) {
  if (hidden && !node.hidden && node.contains(document.activeElement)) dom.orderTitle.focus();
  node.hidden = hidden;
}

/**
 * Shows an order's page. mode: 'push' (a new history entry: the header's field, a checkout), 'replace'
 * or 'none' (the address already says so: page load, back/forward).
 */
function openOrderView(rawId, { mode = 'push', focus = true, announce = '', accepted = null } = {}) {
  const id = String(rawId ?? '')
    .trim()
    .toLowerCase();
  if (id !== order.id) resetOrderView();
  order.id = id;
  order.firstAnnouncement = announce;
  if (dom.dialog.open) dom.dialog.close();
  closeCartPanel();
  dom.catalog.hidden = true;
  dom.orderView.hidden = false;
  dom.skipLink.href = '#order-title';
  dom.skipLink.textContent = 'Skip to the order';
  dom.orderId.textContent = id;
  document.title = `Order ${id.slice(0, 8)} — Durable Goods`;
  if (mode !== 'none') writeUrl(mode);
  if (focus) dom.orderTitle.focus();

  if (!UUID_PATTERN.test(id)) {
    dom.orderLoading.hidden = true;
    dom.orderTitle.textContent = 'Order not found';
    showOrderError(
      `“${id || 'nothing'}” is not an order id. Order ids look like 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed.`,
    );
    return;
  }
  if (!order.view) dom.orderLoading.hidden = false;
  if (accepted?.status && !order.view) {
    // Just checked out: show the 202's status at once. The new order answers GETs only once its workflow
    // has taken its first step (before that the API answers 500), so the first look waits a moment.
    dom.orderStatus.textContent = statusLabel(accepted.status);
    dom.orderStatus.dataset.status = accepted.status;
    schedulePoll(FIRST_LOOK_DELAY_MS);
  } else void pollOrder();
}

/** Back to the catalog: polling stops with the page. */
function closeOrderView({ mode = 'push', focus = true } = {}) {
  if (!order.id && dom.orderView.hidden) return;
  resetOrderView();
  order.id = '';
  dom.orderView.hidden = true;
  dom.catalog.hidden = false;
  dom.skipLink.href = '#results';
  dom.skipLink.textContent = 'Skip to products';
  document.title = ORIGINAL_TITLE;
  if (mode !== 'none') writeUrl(mode);
  if (focus) dom.results.focus();
}

function resetOrderView() {
  stopPolling();
  order.view = null;
  dom.orderLink.hidden = true;
  order.failures = 0;
  order.lastChecked = null;
  order.paying = false;
  order.cancelling = false;
  order.confirming = false;
  order.actionError = '';
  cardFields.order.element?.clear();
  setCardError(cardFields.order, '');
  dom.orderTitle.textContent = 'Your order';
  dom.orderBody.hidden = true;
  dom.orderLoading.hidden = true;
  dom.orderMeta.textContent = '';
  dom.orderStatus.textContent = '';
  dom.orderStatus.removeAttribute('data-status');
  dom.orderRefresh.textContent = '';
  dom.orderLive.textContent = '';
  dom.orderPayError.textContent = '';
  dom.orderCancelError.textContent = '';
  dom.orderCancelConfirm.hidden = true;
  dom.orderCancelButton.setAttribute('aria-expanded', 'false');
  hideOrderError();
}

function stopPolling() {
  clearTimeout(order.timer);
  order.timer = null;
  order.controller?.abort();
  order.controller = null;
}

function schedulePoll(ms) {
  clearTimeout(order.timer);
  order.timer = setTimeout(() => void pollOrder(), ms);
}

const isFinal = (view) => Boolean(view && FINAL_STATUSES.has(view.status));
const orderPath = (id, rest = '') => `/api/orders/${encodeURIComponent(id)}${rest}`;

/** One GET of the order; schedules the next one while the order can still change. */
async function pollOrder() {
  const id = order.id;
  if (!id) return;
  clearTimeout(order.timer);
  if (document.hidden && order.view) {
    // A hidden tab does not poll; visibilitychange polls again when it is shown.
    order.timer = null;
    return;
  }
  order.controller?.abort();
  const controller = new AbortController();
  order.controller = controller;
  let stop = false;
  try {
    const { body } = await apiRequest('GET', orderPath(id), undefined, { signal: controller.signal });
    if (order.id !== id || order.controller !== controller) return;
    order.failures = 0;
    order.lastChecked = new Date();
    hideOrderError();
    applyOrder(body);
  } catch (err) {
    if (err?.name === 'AbortError' || order.id !== id || order.controller !== controller) return;
    if (err.status === 404 || err.status === 400) {
      stop = true;
      dom.orderLoading.hidden = true;
      // Not this browser's order: its id alone still tells where it is (status only, nothing personal).
      const tracked = err.status === 404 ? await apiRequest('GET', `/api/track/${id}`).catch(() => null) : null;
      if (tracked && order.id === id) {
        dom.orderStatus.textContent = statusLabel(tracked.body.status);
        dom.orderStatus.dataset.status = tracked.body.status;
        showOrderError(
          'Only the order’s status is shown here. To see its details, open the link in your confirmation e-mail, or sign in.',
        );
        return;
      }
      if (!order.view) dom.orderTitle.textContent = 'Order not found';
      showOrderError(
        err.status === 404 ? `We could not find order ${id}. Check the id in your confirmation.` : err.message,
      );
    } else {
      order.failures += 1;
      // A just-placed order can take a moment to answer: say nothing about the first miss.
      if (order.failures > 3 || order.view)
        showOrderError(`The order could not be refreshed: ${err.message} Trying again…`, { retry: true });
    }
  } finally {
    if (order.controller === controller) order.controller = null;
    if (order.id === id && !stop && !isFinal(order.view)) {
      schedulePoll(
        !order.view && order.failures > 0 && order.failures <= 3
          ? FIRST_LOOK_RETRY_MS
          : Math.min(ORDER_POLL_MS * 2 ** Math.max(0, order.failures - 1), ORDER_RETRY_MAX_MS),
      );
    }
    renderRefreshNote();
  }
}

function showOrderError(message, { retry = false } = {}) {
  dom.orderErrorText.textContent = message;
  dom.orderErrorRetry.hidden = !retry;
  dom.orderError.hidden = false;
}

function hideOrderError() {
  dom.orderError.hidden = true;
  dom.orderErrorText.textContent = '';
}

function renderRefreshNote() {
  const view = order.view;
  if (!view) {
    dom.orderRefresh.textContent = '';
    return;
  }
  const checked = order.lastChecked ? ` · checked ${timeFormat.format(order.lastChecked)}` : '';
  dom.orderRefresh.textContent = isFinal(view) ? 'Final status' : `Updates automatically${checked}`;
}

/** Shows an order the API answered with (a poll, a payment, a cancellation); an older version is ignored. */
function applyOrder(view) {
  if (!view || view.id !== order.id) return;
  const previous = order.view;
  if (previous && view.version < previous.version) return;
  order.view = view;
  // A Stripe.js error is about one 3-D Secure check: once the payment moves on, the order's own words count.
  if (previous && (previous.payment.step !== view.payment.step || previous.payment.attempts !== view.payment.attempts))
    order.actionError = '';
  if (payments.config === 'failed') void loadPaymentConfig();
  renderOrder(view);
  const said = describeChange(previous, view);
  if (!previous) announceOrder([order.firstAnnouncement, said].filter(Boolean).join(' '));
  else announceOrder(said);
  if (isFinal(view)) stopPolling();
  renderRefreshNote();
}

/** What changed between two answers, in words for the live region. */
function describeChange(previous, view) {
  const parts = [];
  if (!previous || previous.status !== view.status) {
    parts.push(`Order status: ${statusLabel(view.status)}.`);
    if (view.status === 'cancelled' && view.cancelReason) parts.push(reasonText(view.cancelReason));
  }
  const step = view.payment.step;
  const waiting = view.status === 'placed' || view.status === 'awaiting_payment';
  if (waiting && (!previous || previous.payment.step !== step || previous.payment.attempts !== view.payment.attempts)) {
    if (step === 'declined' && view.payment.lastError)
      parts.push(`Payment declined: ${view.payment.lastError.message} Choose another payment method.`);
    if (step === 'requires_action') parts.push('Your bank needs you to confirm the payment: use Confirm payment.');
  }
  return parts.join(' ');
}

function renderOrder(view) {
  dom.orderLoading.hidden = true;
  dom.orderBody.hidden = false;
  dom.orderTitle.textContent = `Order ${view.id.slice(0, 8)}`;
  dom.orderMeta.textContent = `Placed ${formatTime(view.placedAt)} · confirmation to ${view.email}`;
  // A guest's way back to the order from another device: the tracking link, with its token.
  const token = orderTokenFor(`/api/orders/${view.id}`);
  dom.orderLink.hidden = !token;
  dom.orderTrackingLink.href = token ? `/?order=${encodeURIComponent(view.id)}#token=${token}` : '/';
  dom.orderStatus.textContent = statusLabel(view.status);
  dom.orderStatus.dataset.status = view.status;
  dom.orderView.dataset.status = view.status;

  renderOrderSteps(view);
  dom.orderCancelled.hidden = view.status !== 'cancelled';
  dom.orderCancelled.textContent =
    view.status === 'cancelled' ? reasonText(view.cancelReason) || 'This order was cancelled.' : '';

  renderOrderPayment(view);
  renderOrderLines(view);
  renderOrderAddress(view.shippingAddress);
  renderOrderTimeline(view);
  renderOrderCancel(view);
}

function renderOrderSteps(view) {
  // Steps the order has been through, from its timeline (each move is stamped with the status it reached).
  const reached = new Set(['placed', view.status]);
  const reachedAt = new Map();
  for (const entry of view.timeline) {
    if (!(entry.type in STATUS_LABELS)) continue;
    reached.add(entry.type);
    if (!reachedAt.has(entry.type)) reachedAt.set(entry.type, entry.at);
  }
  if (!reachedAt.has('placed')) reachedAt.set('placed', view.placedAt);

  const cancelled = view.status === 'cancelled';
  const steps = cancelled
    ? [...ORDER_STEPS.filter((s) => reached.has(s)), 'cancelled']
    : ORDER_STEPS.filter((s) => s !== 'backordered' || reached.has('backordered'));
  const current = steps.indexOf(view.status);

  dom.orderSteps.replaceChildren(
    ...steps.map((step, index) => {
      const state =
        step === 'cancelled'
          ? 'cancelled'
          : index < current || (index === current && isFinal(view))
            ? 'done'
            : index === current
              ? 'current'
              : 'upcoming';
      const note = { done: 'done', current: 'in progress', upcoming: 'not yet', cancelled: '' }[state];
      const at = reachedAt.get(step);
      return h(
        'li',
        {
          class: `order-step order-step--${state}`,
          'aria-current': index === current ? 'step' : undefined,
          'data-testid': 'order-step',
          dataset: { step, state },
        },
        h(
          'span',
          { class: 'order-step__marker', 'aria-hidden': 'true' },
          state === 'done' ? '✓' : state === 'cancelled' ? '×' : '',
        ),
        h(
          'span',
          { class: 'order-step__text' },
          h('span', { class: 'order-step__label' }, statusLabel(step)),
          note ? h('span', { class: 'visually-hidden' }, ` (${note})`) : null,
          at && state !== 'upcoming'
            ? h('time', { class: 'order-step__time', datetime: at }, formatTime(at, timeFormat))
            : null,
        ),
      );
    }),
  );
}

function renderOrderPayment(view) {
  const p = view.payment;
  const money = (cents) => formatMoney(cents, view.currency);
  dom.orderPaymentMethod.textContent = p.method ? paymentMethodLabel(p.method) : 'None yet';
  dom.orderPaymentStep.textContent =
    p.step === 'none' && view.status === 'awaiting_payment'
      ? 'Waiting for a payment method'
      : (PAYMENT_STEPS[p.step] ?? p.step);
  dom.orderAuthorized.textContent = money(p.authorizedCents);
  dom.orderCaptured.textContent = money(p.capturedCents);
  dom.orderRefunded.textContent = money(p.refundedCents);

  const waiting = view.status === 'placed' || view.status === 'awaiting_payment';
  const showError = Boolean(p.lastError) && (waiting || view.status === 'cancelled');
  const needsAction = waiting && p.step === 'requires_action';
  // The API takes a method while the order waits for one: none given, declined, or 3-D Secure pending.
  const canPay = view.status === 'awaiting_payment' && ['none', 'declined', 'requires_action'].includes(p.step);

  // What Stripe.js said about a failed 3-D Secure check shows here too, while the check is still to do.
  const actionError = needsAction ? order.actionError : '';
  dom.orderPaymentError.hidden = !(showError || actionError);
  dom.orderPaymentErrorText.textContent = actionError || (showError ? p.lastError.message : '');

  // The simulated provider's bank is a page to go to; Stripe's check runs here, in Stripe.js.
  const url = safeHttpUrl(p.nextAction?.url);
  const secret = url ? '' : stripeClientSecret(p.nextAction);
  hideKeepingFocus(dom.orderConfirmButton, !(needsAction && secret));
  dom.orderConfirm.hidden = !needsAction;
  dom.orderConfirmLink.hidden = !url;
  dom.orderConfirmNone.hidden = Boolean(url || secret);
  if (url) dom.orderConfirmLink.href = url;
  setBusyControl(dom.orderConfirmButton, order.confirming);
  dom.orderConfirmButton.textContent = order.confirming ? 'Confirming…' : 'Confirm payment';

  dom.orderPayTitle.textContent =
    p.step === 'declined'
      ? 'Try another payment method'
      : p.step === 'requires_action'
        ? 'Or pay with another method'
        : 'Choose how to pay for this order';
  // While the bank's confirmation is the thing to do, paying another way is the lesser button.
  dom.orderPaySubmit.classList.toggle('button--primary', p.step !== 'requires_action');
  dom.orderPaySubmit.classList.toggle('button--secondary', p.step === 'requires_action');
  if (!canPay) {
    dom.orderPayError.textContent = '';
    setCardError(cardFields.order, '');
  }
  hideKeepingFocus(dom.orderPayForm, !canPay && !order.paying);
  renderPayButton(view);
  hideKeepingFocus(dom.orderAttention, !(showError || needsAction || canPay || order.paying));
}

function renderPayButton(view = order.view) {
  setBusyControl(dom.orderPaySubmit, order.paying);
  dom.orderPaySubmit.textContent = order.paying
    ? 'Paying…'
    : view
      ? `Pay ${formatMoney(view.totalCents, view.currency)}`
      : 'Pay now';
}

/** Only http(s) links from the API become a link (never javascript: and the like). */
function safeHttpUrl(text) {
  if (typeof text !== 'string' || !text) return '';
  try {
    const url = new URL(text, window.location.origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : '';
  } catch {
    return '';
  }
}

function renderOrderLines(view) {
  const money = (cents) => formatMoney(cents, view.currency);
  dom.orderLines.replaceChildren(
    ...view.lines.map((line) =>
      h(
        'li',
        {
          class: `order-line order-line--${line.status}`,
          'data-testid': 'order-line',
          dataset: { productId: line.productId, status: line.status },
        },
        h('p', { class: 'order-line__name', 'data-testid': 'order-line-name' }, line.name),
        h(
          'p',
          { class: 'order-line__meta' },
          h('span', {}, 'SKU ', h('span', { class: 'order-line__sku' }, line.sku)),
          h('span', {}, `${line.quantity} × ${money(line.unitPriceCents)}`),
        ),
        h(
          'p',
          { class: 'order-line__foot' },
          h(
            'span',
            { class: `line-status line-status--${line.status}`, 'data-testid': 'order-line-status' },
            LINE_STATUSES[line.status] ?? line.status,
            line.status === 'cancelled' && line.cancelReason ? ` (${line.cancelReason.replaceAll('_', ' ')})` : '',
          ),
          h(
            'span',
            { class: 'order-line__total' },
            h('span', { class: 'visually-hidden' }, 'Line total '),
            money(line.lineTotalCents),
          ),
        ),
      ),
    ),
  );
  dom.orderTotal.textContent = money(view.totalCents);
}

function renderOrderAddress(address) {
  const cityLine = [address.city, [address.region, address.postalCode].filter(Boolean).join(' ')]
    .filter(Boolean)
    .join(', ');
  const rows = [address.name, address.line1, address.line2, cityLine, countryName(address.country)].filter(Boolean);
  dom.orderAddress.replaceChildren(...rows.map((row) => h('span', { class: 'order-address__row' }, row)));
}

function renderOrderTimeline(view) {
  dom.orderTimeline.replaceChildren(
    ...[...view.timeline]
      .reverse()
      .map((entry) =>
        h(
          'li',
          { class: 'order-event', 'data-testid': 'order-event', dataset: { type: entry.type } },
          h('time', { class: 'order-event__time', datetime: entry.at }, formatTime(entry.at)),
          h('span', { class: 'order-event__message' }, entry.message),
        ),
      ),
  );
}

function renderOrderCancel(view) {
  // A cancellation already under way (the API answered 202) is not offered again.
  const cancellable = CANCELLABLE_STATUSES.has(view.status) && !view.cancelRequested;
  if (!cancellable && !order.cancelling) {
    dom.orderCancelConfirm.hidden = true;
    dom.orderCancelButton.setAttribute('aria-expanded', 'false');
  }
  // A refusal stays readable after the button goes (the order shipped meanwhile, say).
  hideKeepingFocus(dom.orderCancel, !cancellable && !order.cancelling && !dom.orderCancelError.textContent);
  dom.orderCancelButton.hidden = !cancellable && !order.cancelling;
  setBusyControl(dom.orderCancelYes, order.cancelling);
  setBusyControl(dom.orderCancelNo, order.cancelling);
  dom.orderCancelYes.textContent = order.cancelling ? 'Cancelling…' : 'Yes, cancel the order';
}

/**
 * POST /api/orders/:id/payment: the API answers with the order once the attempt has an outcome. With "Card"
 * (Stripe), the card becomes a PaymentMethod first and its id is sent.
 */
async function payOrder() {
  const id = order.id;
  const choice = dom.orderPayMethod.value;
  if (!id || order.paying || !choice) return;
  const withCard = choice === CARD_CHOICE.value;
  order.paying = true;
  order.actionError = '';
  dom.orderPayError.textContent = '';
  setCardError(cardFields.order, '');
  renderPayButton();
  announceOrder(withCard ? 'Paying with your card…' : `Paying with ${paymentMethodLabel(choice)}…`);
  try {
    let paymentMethod = choice;
    if (withCard) {
      const card = await createCardPaymentMethod(cardFields.order);
      if (order.id !== id) return;
      if (card.error) {
        setCardError(cardFields.order, card.error);
        focusCard(cardFields.order);
        return;
      }
      paymentMethod = card.id;
    }
    const { body } = await apiRequest('POST', orderPath(id, '/payment'), { paymentMethod }, { retry: false });
    if (order.id !== id) return;
    order.paying = false;
    applyOrder(body);
    const p = body.payment;
    if (withCard && (p.step === 'authorized' || p.step === 'captured')) cardFields.order.element?.clear();
    if (p.step === 'requires_action' && !dom.orderConfirm.hidden && !dom.orderConfirmLink.hidden) {
      dom.orderConfirmLink.focus();
    } else if (p.step === 'requires_action' && !dom.orderConfirm.hidden && !dom.orderConfirmButton.hidden) {
      dom.orderConfirmButton.focus();
    } else if (p.step === 'declined') {
      dom.orderPaySubmit.focus();
    }
    if (p.step === 'authorized' || p.step === 'captured') announceOrder('Payment authorized. Thank you!');
  } catch (err) {
    if (order.id !== id) return;
    order.paying = false;
    dom.orderPayError.textContent = err.message;
    dom.orderPaySubmit.focus();
  } finally {
    if (order.id === id) {
      order.paying = false;
      if (order.view) renderOrderPayment(order.view);
      renderPayButton();
      if (!isFinal(order.view) && !order.timer) schedulePoll(ORDER_POLL_MS);
    }
  }
}

/**
 * 3-D Secure with Stripe: Stripe.js shows the bank's check (stripe.handleNextAction). The order learns the
 * outcome from Stripe itself (webhook, or by looking), so the page only says what Stripe.js answered and
 * asks the order again; a failure shows in the payment's error area.
 */
async function confirmWithStripe() {
  const id = order.id;
  const secret = stripeClientSecret(order.view?.payment.nextAction);
  if (!id || order.confirming || !secret) return;
  order.confirming = true;
  order.actionError = '';
  renderOrderPayment(order.view);
  announceOrder('Opening your bank’s check…');
  let said = '';
  try {
    const stripe = await ensureStripe();
    if (order.id !== id) return;
    if (!stripe) {
      order.actionError = payments.publishableKey ? STRIPE_ACTION_UNAVAILABLE : STRIPE_ACTION_UNCONFIGURED;
      said = `The payment was not confirmed: ${order.actionError}`;
      return;
    }
    const result = await stripe.handleNextAction({ clientSecret: secret });
    if (order.id !== id) return;
    if (result?.error) {
      order.actionError = result.error.message || 'Your bank did not confirm the payment.';
      said = `The payment was not confirmed: ${order.actionError}`;
    } else said = 'Thank you. Checking the payment with the shop…';
  } catch {
    if (order.id !== id) return;
    // handleNextAction throws when the payment no longer waits for the check (it moved on meanwhile): its
    // message is for developers, and the poll below tells the rest.
    order.actionError =
      'The bank’s check could not open. If the payment still needs your confirmation, press Confirm payment again.';
    said = `The payment was not confirmed: ${order.actionError}`;
  } finally {
    if (order.id === id) {
      order.confirming = false;
      if (order.view) renderOrderPayment(order.view);
      announceOrder(said);
      void pollOrder();
    }
  }
}

/** POST /api/orders/:id/cancel: answers with the cancelled order once stock and payment are given back. */
async function cancelOrder() {
  const id = order.id;
  if (!id || order.cancelling) return;
  order.cancelling = true;
  dom.orderCancelError.textContent = '';
  if (order.view) renderOrderCancel(order.view);
  announceOrder('Cancelling your order…');
  try {
    const { body } = await apiRequest('POST', orderPath(id, '/cancel'));
    if (order.id !== id) return;
    order.cancelling = false;
    dom.orderCancelConfirm.hidden = true;
    dom.orderCancelButton.setAttribute('aria-expanded', 'false');
    if (dom.orderCancel.contains(document.activeElement)) dom.orderTitle.focus();
    applyOrder(body);
    if (body.status === 'cancelled') announceOrder('Your order is cancelled.');
    else if (body.cancelRequested) announceOrder('Your cancellation is under way; this page shows it once it is done.');
  } catch (err) {
    if (order.id !== id) return;
    order.cancelling = false;
    dom.orderCancelError.textContent = err.message;
    dom.orderCancelConfirm.hidden = true;
    dom.orderCancelButton.setAttribute('aria-expanded', 'false');
    if (order.view) renderOrderCancel(order.view);
    if (!dom.orderCancelButton.hidden) dom.orderCancelButton.focus();
    else dom.orderTitle.focus();
  } finally {
    if (order.id === id) {
      order.cancelling = false;
      if (order.view) renderOrderCancel(order.view);
    }
  }
}

function showCancelConfirm(show) {
  dom.orderCancelConfirm.hidden = !show;
  dom.orderCancelButton.setAttribute('aria-expanded', String(show));
  if (show) {
    dom.orderCancelError.textContent = '';
    dom.orderCancelYes.focus();
  } else dom.orderCancelButton.focus();
}

// ----- Track an order (header) -----

function setTrackCollapsed(collapsed) {
  dom.trackForm.dataset.collapsed = String(collapsed);
  dom.trackToggle.setAttribute('aria-expanded', String(!collapsed));
}

function setTrackError(message) {
  dom.trackError.textContent = message;
  if (message) dom.trackInput.setAttribute('aria-invalid', 'true');
  else dom.trackInput.removeAttribute('aria-invalid');
}

function submitTrack() {
  // A pasted link to the order page (or an id with stray spaces) works too.
  const match = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(dom.trackInput.value);
  if (!match) {
    setTrackError(
      dom.trackInput.value.trim()
        ? 'That is not an order id. It looks like 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed.'
        : 'Enter the order id from your confirmation.',
    );
    dom.trackInput.focus();
    return;
  }
  setTrackError('');
  dom.trackInput.value = '';
  setTrackCollapsed(true);
  openOrderView(match[0], { mode: 'push', focus: true });
}

function wireOrders() {
  setTrackCollapsed(true);
  dom.trackForm.addEventListener('submit', (event) => {
    event.preventDefault();
    submitTrack();
  });
  dom.trackInput.addEventListener('input', () => setTrackError(''));
  dom.trackToggle.addEventListener('click', () => {
    const collapsed = dom.trackForm.dataset.collapsed !== 'true';
    setTrackCollapsed(collapsed);
    if (!collapsed) dom.trackInput.focus();
  });
  dom.trackForm.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || dom.trackForm.dataset.collapsed === 'true') return;
    setTrackError('');
    setTrackCollapsed(true);
    if (window.getComputedStyle(dom.trackToggle).display !== 'none') dom.trackToggle.focus();
  });

  dom.orderBack.addEventListener('click', () => closeOrderView({ mode: 'push', focus: true }));
  dom.orderErrorRetry.addEventListener('click', () => {
    hideOrderError();
    order.failures = 0;
    void pollOrder();
  });
  dom.orderPayForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!isAriaDisabled(dom.orderPaySubmit)) void payOrder();
  });
  dom.orderPayMethod.addEventListener('change', () => {
    cardFields.order.chosen = true;
    renderPaymentChoices();
  });
  dom.orderPayCardRetry.addEventListener('click', () => retryCard(cardFields.order));
  dom.orderConfirmButton.addEventListener('click', () => {
    if (!isAriaDisabled(dom.orderConfirmButton)) void confirmWithStripe();
  });
  dom.orderCancelButton.addEventListener('click', () => showCancelConfirm(dom.orderCancelConfirm.hidden));
  dom.orderCancelNo.addEventListener('click', () => {
    if (!isAriaDisabled(dom.orderCancelNo)) showCancelConfirm(false);
  });
  dom.orderCancelYes.addEventListener('click', () => {
    if (!isAriaDisabled(dom.orderCancelYes)) void cancelOrder();
  });
  dom.orderCancelConfirm.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !order.cancelling) showCancelConfirm(false);
  });

  // Back and forward move between the catalog and order pages.
  window.addEventListener('popstate', () => {
    const id = (new URLSearchParams(window.location.search).get('order') ?? '').trim();
    if (id) {
      if (id.toLowerCase() !== order.id) openOrderView(id, { mode: 'none', focus: true });
    } else closeOrderView({ mode: 'none', focus: true });
  });
  // A hidden tab stops polling; shown again, it catches up at once.
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && order.id && order.view && !isFinal(order.view) && !order.controller) void pollOrder();
  });
}

// ---------- Wiring ----------

function debounce(fn, ms) {
  let timer;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

/** Applies the current controls: remembers them, updates the URL and loads the first page. */
function applyFilters() {
  // Searching from an order's page goes back to the catalog to show the results.
  if (order.id) closeOrderView({ mode: 'push', focus: false });
  state.q = dom.search.value;
  state.category = dom.category.value;
  state.collection = dom.collection.value;
  state.vendor = dom.vendor.value;
  state.min = dom.min.value;
  state.max = dom.max.value;
  state.inStock = dom.inStock.checked;
  state.sort = SORTS.has(dom.sort.value) ? dom.sort.value : DEFAULT_SORT;
  updateFilterCount();
  writeUrl();
  void loadProducts();
}

let lastQuery = '';
const searchSoon = debounce(() => {
  if (dom.search.value.trim() === lastQuery) return; // e.g. a trailing space: same results
  lastQuery = dom.search.value.trim();
  applyFilters();
}, SEARCH_DEBOUNCE_MS);
const pricesSoon = debounce(applyFilters, PRICE_DEBOUNCE_MS);

function clearAllFilters() {
  searchSoon.cancel();
  pricesSoon.cancel();
  dom.search.value = '';
  lastQuery = '';
  for (const select of [dom.category, dom.collection, dom.vendor]) {
    select.querySelectorAll('option[data-unknown]').forEach((option) => option.remove());
    select.value = '';
  }
  dom.min.value = '';
  dom.max.value = '';
  dom.inStock.checked = false;
  markPriceErrors(null);
  applyFilters();
}

function setFiltersCollapsed(collapsed) {
  dom.filters.dataset.collapsed = String(collapsed);
  dom.filtersToggle.setAttribute('aria-expanded', String(!collapsed));
}

function wire() {
  dom.search.addEventListener('input', searchSoon);
  dom.searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    searchSoon.cancel();
    lastQuery = dom.search.value.trim();
    applyFilters();
  });

  for (const select of [dom.category, dom.collection, dom.vendor, dom.sort])
    select.addEventListener('change', applyFilters);
  dom.inStock.addEventListener('change', applyFilters);
  for (const input of [dom.min, dom.max]) {
    input.addEventListener('input', pricesSoon);
    input.addEventListener('change', () => {
      pricesSoon.cancel();
      if (input.value !== (input === dom.min ? state.min : state.max)) applyFilters();
    });
  }
  dom.filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    pricesSoon.cancel();
    applyFilters();
  });

  dom.clearFilters.addEventListener('click', clearAllFilters);
  dom.emptyClear.addEventListener('click', () => {
    clearAllFilters();
    dom.search.focus();
  });
  dom.filtersToggle.addEventListener('click', () => setFiltersCollapsed(dom.filters.dataset.collapsed !== 'true'));

  dom.loadMore.addEventListener('click', () => {
    if (nextCursor) void loadProducts({ append: true });
  });

  dom.errorDismiss.addEventListener('click', () => hideError());
  dom.errorRetry.addEventListener('click', () => retry?.());

  dom.dialogClose.addEventListener('click', () => dom.dialog.close());
  dom.dialog.addEventListener('close', onDialogClosed);
  // A click on the backdrop (outside the dialog's box) closes it.
  dom.dialog.addEventListener('click', (event) => {
    if (event.target !== dom.dialog) return;
    const box = dom.dialog.getBoundingClientRect();
    const inside =
      event.clientX >= box.left &&
      event.clientX <= box.right &&
      event.clientY >= box.top &&
      event.clientY <= box.bottom;
    if (!inside) dom.dialog.close();
  });
}

function start() {
  takeTokenFromLink();
  const { productId, orderId } = readStateFromUrl();
  lastQuery = state.q.trim();
  setFiltersCollapsed(true);
  stateToControls();
  // Number inputs drop text that is not a number (a hand-edited link): go by what they kept.
  state.min = dom.min.value;
  state.max = dom.max.value;
  writeUrl();
  wire();
  wireCart();
  wireCheckout();
  wireOrders();
  wireAccount({
    // Signed in: the API adopted this browser's cart into the account (or found the account's).
    onSignedIn: (cartId) => {
      cart.id = cartId ?? null;
      storeCartId(cart.id);
      renderCart();
      void refreshCart();
    },
    onSignedOut: () => {
      forgetCart();
      storeCartId(null);
      renderCart();
    },
    openOrder: (id) => openOrderView(id, { mode: 'push', focus: true }),
  });
  void loadPaymentConfig();
  renderCart();
  void refreshCart();
  void loadFacets();
  void loadProducts();
  // An order's page (a shared link, a reload, the way back from the bank's page) comes before a product.
  if (orderId) openOrderView(orderId, { mode: 'replace', focus: false });
  else if (productId) void openProduct(productId);
}

start();
