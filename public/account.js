/* global document, window, localStorage, fetch, URLSearchParams */
/**
 * The shopper's account in the header (sign in, create an account, my orders, sign out) and the
 * access tokens of the orders this browser placed as a guest. The session itself is the API's
 * HttpOnly cookie: this page never sees it.
 */

const TOKENS_KEY = 'durable-goods-order-tokens';

function readTokens() {
  try {
    const parsed = JSON.parse(localStorage.getItem(TOKENS_KEY) ?? '{}');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/** Remembers an order's access token (from a checkout's answer or a tracking link). */
export function rememberOrderToken(orderId, token) {
  if (!orderId || !token) return;
  const tokens = readTokens();
  tokens[String(orderId).toLowerCase()] = token;
  localStorage.setItem(TOKENS_KEY, JSON.stringify(tokens));
}

/**
 * Forgets every order this browser could open: signing out on a shared computer must not leave the
 * next person the last one's orders (name, address, e-mail). A customer's orders stay under
 * "My orders" once signed in again; a guest's, behind their tracking link.
 */
export function forgetOrderTokens() {
  localStorage.removeItem(TOKENS_KEY);
}

/** The token for the order a path is about, if this browser has it. */
export function orderTokenFor(path) {
  const match = /^\/api\/orders\/([0-9a-fA-F-]{36})/.exec(path);
  return match ? readTokens()[match[1].toLowerCase()] : undefined;
}

/**
 * A tracking link (/?order=<id>#token=<token>) hands the page the order's token in the fragment,
 * which no server sees: it is kept, and taken out of the address bar.
 */
export function takeTokenFromLink() {
  const token = /^#token=([A-Za-z0-9_-]{43})$/.exec(window.location.hash)?.[1];
  const orderId = new URLSearchParams(window.location.search).get('order');
  if (!token || !orderId) return;
  rememberOrderToken(orderId, token);
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}`);
}

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
};

async function send(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json', accept: 'application/json' } : { accept: 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
    cache: 'no-store',
  });
  const json = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Error(json?.error?.message ?? `The shop could not answer (HTTP ${response.status}).`);
  return json;
}

/**
 * Puts the account controls in the header. `onSignedIn(cartId)`: the API adopted the guest cart (or
 * found the account's); `openOrder(id)`: shows an order's page.
 */
export function wireAccount({ onSignedIn, onSignedOut, openOrder }) {
  const slot = el('div', { class: 'account', 'data-testid': 'account' });
  document.getElementById('cart-button-slot')?.before(slot);
  const dialog = el('dialog', {
    class: 'account-dialog',
    'aria-labelledby': 'account-title',
    'data-testid': 'account-dialog',
  });
  document.body.append(dialog);

  async function refresh() {
    const me = await send('GET', '/api/me').catch(() => null);
    slot.replaceChildren();
    if (me?.customer) {
      const orders = el(
        'button',
        { type: 'button', class: 'account__button', 'data-testid': 'my-orders' },
        'My orders',
      );
      const out = el('button', { type: 'button', class: 'account__button', 'data-testid': 'sign-out' }, 'Sign out');
      orders.addEventListener('click', () => void showOrders());
      out.addEventListener('click', async () => {
        await send('POST', '/api/auth/sign-out').catch(() => null);
        forgetOrderTokens();
        onSignedOut();
        await refresh();
      });
      slot.append(el('span', { class: 'account__who', 'data-testid': 'signed-in-as' }, me.customer.email), orders, out);
    } else {
      const open = el('button', { type: 'button', class: 'account__button', 'data-testid': 'sign-in' }, 'Sign in');
      open.addEventListener('click', showSignIn);
      slot.append(open);
    }
  }

  function showSignIn() {
    const email = el('input', {
      type: 'email',
      name: 'email',
      autocomplete: 'email',
      required: '',
      id: 'account-email',
    });
    const password = el('input', {
      type: 'password',
      name: 'password',
      autocomplete: 'current-password',
      required: '',
      minlength: '8',
      id: 'account-password',
    });
    const error = el('p', { class: 'account-dialog__error', role: 'alert' });
    const signIn = el('button', { type: 'submit', value: 'sign-in' }, 'Sign in');
    const signUp = el('button', { type: 'submit', value: 'sign-up' }, 'Create account');
    const cancel = el('button', { type: 'button' }, 'Cancel');
    const form = el(
      'form',
      { class: 'account-dialog__form' },
      el('h2', { id: 'account-title' }, 'Your account'),
      el('label', { for: 'account-email' }, 'E-mail'),
      email,
      el('label', { for: 'account-password' }, 'Password (8 characters or more)'),
      password,
      error,
      el('div', { class: 'account-dialog__actions' }, signIn, signUp, cancel),
    );
    cancel.addEventListener('click', () => dialog.close());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const action = event.submitter?.value === 'sign-up' ? 'sign-up' : 'sign-in';
      try {
        const me = await send('POST', `/api/auth/${action}`, { email: email.value, password: password.value });
        dialog.close();
        onSignedIn(me.cartId);
        await refresh();
      } catch (err) {
        error.textContent = err.message;
      }
    });
    dialog.replaceChildren(form);
    dialog.showModal();
    email.focus();
  }

  async function showOrders() {
    const list = el('ul', { class: 'account-dialog__orders', 'data-testid': 'my-orders-list' });
    const close = el('button', { type: 'button' }, 'Close');
    close.addEventListener('click', () => dialog.close());
    dialog.replaceChildren(el('h2', { id: 'account-title' }, 'My orders'), list, close);
    dialog.showModal();
    try {
      const { items } = await send('GET', '/api/me/orders');
      if (items.length === 0) list.append(el('li', {}, 'No orders yet.'));
      for (const o of items) {
        const link = el(
          'a',
          { href: `/?order=${o.orderId}` },
          `${o.orderId.slice(0, 8)}: ${o.status.replaceAll('_', ' ')}`,
        );
        link.addEventListener('click', (event) => {
          event.preventDefault();
          dialog.close();
          openOrder(o.orderId);
        });
        list.append(el('li', {}, link, ` (${new Date(o.createdAt).toLocaleDateString()})`));
      }
    } catch (err) {
      list.append(el('li', { role: 'alert' }, err.message));
    }
  }

  void refresh();
}
