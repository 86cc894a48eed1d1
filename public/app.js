// Durable Goods storefront: the catalog page. One ES module, no dependencies, no build step.
//
// Every piece of text that comes from the API is put into the page with textContent or DOM
// attributes, never with innerHTML, so product data cannot inject markup.

// The repository's ESLint config has no browser environment: these are the browser globals used here.
/* global window, document, fetch, URL, URLSearchParams, AbortController, CSS, Node, HTMLElement, setTimeout, clearTimeout, localStorage, crypto, HTMLInputElement */

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
  return { productId: text('product') };
}

/** Keeps the page's address in step with the filters (and the open product), without new history entries. */
function writeUrl() {
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
  const query = params.toString();
  const url = `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`;
  if (url !== `${window.location.pathname}${window.location.search}${window.location.hash}`) {
    window.history.replaceState(window.history.state, '', url);
  }
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
 * One cart request. A change (any method but GET) carries an Idempotency-Key; when the network fails,
 * the request is sent once more with the same key, so the API applies the change at most once.
 * Answers { status, body }; a 4xx/5xx becomes an ApiError with the API's code and message.
 */
async function cartRequest(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['idempotency-key'] = newUuid();
  // No content-type without a body: the API refuses an empty JSON body.
  if (body !== undefined) headers['content-type'] = 'application/json';
  const init = { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) };
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    await sleep(RETRY_DELAY_MS);
    try {
      response = await fetch(path, init);
    } catch {
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

/** Creates the cart on the first add. The page picks the id, so a create sent twice answers with the same cart. */
async function ensureCart() {
  if (cart.id) return cart.id;
  const { body } = await cartRequest('POST', '/api/carts', { cartId: newUuid() });
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
      const { body } = await cartRequest('GET', cartPath(id));
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
      const { body } = await cartRequest('POST', cartPath(id, '/items'), { productId, quantity });
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
    (id) => cartRequest('PATCH', cartPath(id, `/items/${encodeURIComponent(line.productId)}`), body),
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
    (id) => cartRequest('DELETE', cartPath(id, `/items/${encodeURIComponent(line.productId)}`)),
    () => `Removed ${line.name} from your cart.`,
  );
}

function emptyCart() {
  if (!cart.view?.lines.length || cart.busyCart) return;
  return changeCart(
    { whole: true },
    (id) => cartRequest('DELETE', cartPath(id, '/items')),
    () => 'Emptied your cart.',
  );
}

/**
 * Checkout. Today the API answers 501 not_implemented (shown in the panel, the cart kept as it is);
 * once orders exist it answers 202 { orderId, status, statusUrl }, handled by onCheckoutAccepted.
 */
async function checkout() {
  if (!cart.id || !cart.view?.lines.length || cart.busyCart) return;
  cart.busyCart = true;
  cart.checkingOut = true;
  hideCartMessages();
  renderCart();
  try {
    const { status, body } = await inCartQueue(() =>
      cart.id ? cartRequest('POST', cartPath(cart.id, '/checkout')) : { status: 0, body: null },
    );
    if (status === 202) onCheckoutAccepted(body);
  } catch (err) {
    if (err.code === 'not_implemented') showCartNotice(err.message, 'Checkout is not open yet');
    else handleCartError(err);
  } finally {
    cart.busyCart = false;
    cart.checkingOut = false;
    renderCart();
  }
}

/**
 * The checkout was accepted (202): the cart is now an order. Order tracking (order.statusUrl) comes
 * with orders; for now the page thanks the customer and forgets the checked-out cart.
 */
function onCheckoutAccepted(order) {
  forgetCart();
  const message = `Thank you! Order ${order.orderId} is ${order.status}.`;
  showCartNotice(message, 'Order received');
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

function showCartNotice(message, title = '') {
  dom.cartNoticeTitle.textContent = title;
  dom.cartNoticeText.textContent = message;
  dom.cartNotice.hidden = false;
  announce(title ? `${title}: ${message}` : message);
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
  dom.cartButton.addEventListener('click', () => (dom.cartPanel.hidden ? openCartPanel() : closeCartPanel()));
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
    if (!isAriaDisabled(dom.cartCheckout)) void checkout();
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
  const { productId } = readStateFromUrl();
  lastQuery = state.q.trim();
  setFiltersCollapsed(true);
  stateToControls();
  // Number inputs drop text that is not a number (a hand-edited link): go by what they kept.
  state.min = dom.min.value;
  state.max = dom.max.value;
  writeUrl();
  wire();
  wireCart();
  renderCart();
  void refreshCart();
  void loadFacets();
  void loadProducts();
  if (productId) void openProduct(productId);
}

start();
