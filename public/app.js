// Durable Goods storefront: the catalog page. One ES module, no dependencies, no build step.
//
// Every piece of text that comes from the API is put into the page with textContent or DOM
// attributes, never with innerHTML, so product data cannot inject markup.

// The repository's ESLint config has no browser environment: these are the browser globals used here.
/* global window, document, fetch, URL, URLSearchParams, AbortController, CSS, Node, HTMLElement, setTimeout, clearTimeout */

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
    throw new ApiError('Could not reach the shop. Check your connection and try again.');
  }
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
    ),
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
  void loadFacets();
  void loadProducts();
  if (productId) void openProduct(productId);
}

start();
