/**
 * The storefront in a real browser (Debian's Chromium through playwright-core): a guest's checkout,
 * the order's access token in its tracking link, what strangers see, accounts, and a clean console.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshContext, launchChromium, type PageProblems } from '../helpers/browser.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { address, fastOrders } from '../helpers/orders.js';

let stack: TestStack;
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium(); // first: without Chromium there is no stack to stop
  stack = await startTestStack(fastOrders);
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const TOKENS_KEY = 'durable-goods-order-tokens';
const guestEmail = 'ada.guest@example.com';
const account = { email: 'ada.account@example.com', password: 'correct horse battery' };
const orderPath = /^\/api\/orders\/[0-9a-f-]{36}$/;
const within = { timeout: 20_000 };

/** What the page shows of an element (its rendered text, trimmed). */
const shown = async (locator: Locator) => (await locator.innerText()).trim();
/** The page's markup, hidden parts included. */
const markup = (page: Page) => page.content();
/** The access tokens this page's browser keeps (account.js), by order id. */
const keptTokens = async (page: Page): Promise<Record<string, string>> =>
  JSON.parse(((await page.evaluate(`localStorage.getItem(${JSON.stringify(TOKENS_KEY)})`)) as string | null) ?? '{}');

/** Adds the first in-stock product on the catalog page not yet in the cart; answers its name. */
async function addFromCatalog(page: Page, skip: string[] = []): Promise<string> {
  const cards = page.locator('[data-testid="product-card"][data-stock="in"]');
  await cards.first().waitFor();
  for (let i = 0; i < (await cards.count()); i++) {
    const card = cards.nth(i);
    const name = await shown(card.getByTestId('product-open'));
    if (skip.includes(name)) continue;
    const count = Number(await shown(page.getByTestId('cart-count')));
    await card.getByTestId('card-add-to-cart').click();
    await expect.poll(() => shown(page.getByTestId('cart-count')), within).toBe(String(count + 1));
    return name;
  }
  throw new Error('no product in stock on the catalog page');
}

/** Checks the cart out from its panel with the simulated provider's Visa; answers the API's 202. */
async function checkOut(page: Page, email: string): Promise<any> {
  await page.getByTestId('cart-button').click();
  await page.getByTestId('cart-checkout').click();
  const dialog = page.getByTestId('checkout-dialog');
  await dialog.waitFor();
  await dialog.getByTestId('checkout-email').fill(email);
  await dialog.getByTestId('checkout-name').fill(address.name);
  await dialog.getByTestId('checkout-line1').fill(address.line1);
  await dialog.getByTestId('checkout-city').fill(address.city);
  await dialog.getByTestId('checkout-postal-code').fill(address.postalCode);
  await dialog.getByTestId('checkout-country').selectOption(address.country);
  await dialog.getByTestId('checkout-payment').selectOption('pm_card_visa');
  const answer = page.waitForResponse((r) => /\/api\/carts\/[^/]+\/checkout$/.test(new URL(r.url()).pathname));
  await dialog.getByTestId('checkout-submit').click();
  const response = await answer;
  expect(response.status(), await response.text()).toBe(202);
  return response.json();
}

/** Waits for the order page to show the order itself (not only its status). */
async function orderShown(page: Page, orderId: string) {
  await page.getByTestId('order-body').waitFor({ state: 'visible' });
  expect(await shown(page.getByTestId('order-id'))).toBe(orderId);
}

/** Waits for the order page to settle on "status only", and checks nothing personal is in the page. */
async function statusOnly(page: Page, orderId: string) {
  await expect.poll(() => shown(page.getByTestId('order-error-message')), within).toMatch(/Only the order’s status/);
  expect(await shown(page.getByTestId('order-id'))).toBe(orderId);
  expect(await shown(page.getByTestId('order-status'))).not.toBe('');
  expect(await page.getByTestId('order-body').isHidden()).toBe(true);
  const html = await markup(page);
  // (Not the country: the checkout form lists every country.)
  for (const personal of [guestEmail, address.name, address.line1, address.postalCode])
    expect(html, personal).not.toContain(personal);
}

/** Every context opened, for the last check: nothing went wrong in any of them. */
const watched: PageProblems[] = [];
async function open(path: string) {
  const browsing = await freshContext(browser, stack.url);
  watched.push(browsing.problems);
  return { ...browsing, page: await browsing.open(path) };
}

describe('the storefront in a real browser', () => {
  let guest: Awaited<ReturnType<typeof open>>;
  let order: { orderId: string; accessToken: string; trackingUrl: string };

  it('lets a guest add to the cart, check out, and see the order; the session cookie is HttpOnly and SameSite=Lax', async () => {
    guest = await open('/');
    const { page, context } = guest;
    const product = await addFromCatalog(page);

    order = await checkOut(page, guestEmail);
    expect(order.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await orderShown(page, order.orderId);
    expect(await shown(page.getByTestId('order-meta'))).toContain(`confirmation to ${guestEmail}`);
    const shipTo = await shown(page.getByTestId('order-address'));
    for (const part of [address.name, address.line1, address.city, address.postalCode, 'United Kingdom'])
      expect(shipTo).toContain(part);
    expect(await shown(page.getByTestId('order-line-name'))).toBe(product);
    expect(new URL(page.url()).search).toBe(`?order=${order.orderId}`);
    // The cart became the order: the header's cart is empty again.
    expect(await shown(page.getByTestId('cart-count'))).toBe('0');

    // The browser keeps the order's token, the one the tracking link carries, and shows the guest
    // that link to keep (their way back from another device).
    expect((await keptTokens(page))[order.orderId]).toBe(order.accessToken);
    expect(await page.getByTestId('order-tracking-link').getAttribute('href')).toBe(
      `/?order=${order.orderId}#token=${order.accessToken}`,
    );

    const sid = (await context.cookies()).find((c) => c.name === 'sid');
    expect(sid).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(await page.evaluate('document.cookie')).not.toContain('sid=');
    expect(guest.problems.problems).toEqual([]);
  });

  it('shows the whole order to whoever opens its tracking link, and only its status without the token', async () => {
    // The link the API handed out (its host is PUBLIC_URL's), built from the token the storefront kept.
    const link = new URL(order.trackingUrl);
    const kept = (await keptTokens(guest.page))[order.orderId];
    expect(`${link.pathname}${link.search}${link.hash}`).toBe(`/?order=${order.orderId}#token=${kept}`);

    const shownLink = await guest.page.getByTestId('order-tracking-link').getAttribute('href');
    const friend = await open(shownLink!);
    await orderShown(friend.page, order.orderId);
    expect(await shown(friend.page.getByTestId('order-meta'))).toContain(guestEmail);
    expect(await shown(friend.page.getByTestId('order-address'))).toContain(address.line1);
    // The token is taken out of the address bar (and history), and kept: a reload still shows the order.
    expect(friend.page.url()).toBe(`${stack.url}/?order=${order.orderId}`);
    expect((await keptTokens(friend.page))[order.orderId]).toBe(kept);
    await friend.page.reload();
    await orderShown(friend.page, order.orderId);
    expect(await shown(friend.page.getByTestId('order-meta'))).toContain(guestEmail);
    expect(friend.problems.problems).toEqual([]);

    const bare = await open(`/?order=${order.orderId}`);
    bare.problems.expect({ status: 404, path: `/api/orders/${order.orderId}` });
    await statusOnly(bare.page, order.orderId);
    expect(bare.problems.problems).toEqual([]);
  });

  it('shows a stranger with a wrong token nothing personal', async () => {
    const real = order.accessToken;
    const wrong = `${real[0] === 'A' ? 'B' : 'A'}${real.slice(1)}`;
    const stranger = await open(`/?order=${order.orderId}#token=${wrong}`);
    stranger.problems.expect({ status: 404, path: orderPath });
    await statusOnly(stranger.page, order.orderId);
    expect(stranger.page.url()).toBe(`${stack.url}/?order=${order.orderId}`);
    expect(stranger.problems.problems).toEqual([]);
  });

  it('keeps the guest cart through sign-up, lists the account’s orders, signs out and in, and refuses a wrong password', async () => {
    const { page, context, problems } = guest;
    problems.expect({ status: 401, path: '/api/auth/sign-in' });
    const header = page.getByTestId('account');
    await page.getByTestId('order-back').click();
    await page.getByTestId('catalog').waitFor();

    // A guest cart of two products.
    const first = await addFromCatalog(page);
    const second = await addFromCatalog(page, [first]);
    const guestSid = (await context.cookies()).find((c) => c.name === 'sid')?.value;

    await header.getByTestId('sign-in').click();
    const dialog = page.getByTestId('account-dialog');
    await dialog.getByLabel('E-mail').fill(account.email);
    await dialog.getByLabel('Password').fill(account.password);
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => shown(header.getByTestId('signed-in-as')), within).toBe(account.email);
    // A new session id at sign-up; the cart is the same.
    expect((await context.cookies()).find((c) => c.name === 'sid')?.value).not.toBe(guestSid);
    await expect.poll(() => shown(page.getByTestId('cart-count')), within).toBe('2');
    await page.getByTestId('cart-button').click();
    await expect
      .poll(() => page.getByTestId('cart-line-name').allInnerTexts(), within)
      .toEqual(expect.arrayContaining([first, second]));
    await page.getByTestId('cart-close').click();

    const signedIn = await checkOut(page, account.email);
    await orderShown(page, signedIn.orderId);

    const myOrders = async () => {
      await header.getByTestId('my-orders').click();
      const list = page.getByTestId('my-orders-list');
      await list.getByRole('link').first().waitFor();
      const items = await list.getByRole('link').allInnerTexts();
      await dialog.getByRole('button', { name: 'Close' }).click();
      // "<first 8 of the id>: <status>"; the status moves on meanwhile.
      return items.map((item) => item.split(':')[0]);
    };
    // The order placed signed in; not the guest order placed before the account existed.
    const listed = await myOrders();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toBe(signedIn.orderId.slice(0, 8));

    await header.getByTestId('sign-out').click();
    await header.getByTestId('sign-in').waitFor();
    expect(await header.getByTestId('signed-in-as').count()).toBe(0);
    expect(((await (await context.request.get('/api/me')).json()) as any).customer).toBeNull();
    // A shared computer: the next person at this browser cannot open the orders placed here.
    expect(await keptTokens(page)).toEqual({});
    problems.expect({ status: 404, path: `/api/orders/${signedIn.orderId}` });
    await page.goto(`/?order=${signedIn.orderId}`);
    await expect.poll(() => shown(page.getByTestId('order-error-message')), within).toMatch(/Only the order’s status/);
    expect(await markup(page)).not.toContain(account.email);
    await page.goto('/');

    await header.getByTestId('sign-in').click();
    await dialog.getByLabel('E-mail').fill(account.email);
    await dialog.getByLabel('Password').fill('wrong horse battery');
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => shown(dialog.getByRole('alert')), within).toBe('wrong e-mail address or password');
    expect(await dialog.isVisible()).toBe(true);
    expect(await header.getByTestId('signed-in-as').count()).toBe(0);
    expect(((await (await context.request.get('/api/me')).json()) as any).customer).toBeNull();

    await dialog.getByLabel('Password').fill(account.password);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => shown(header.getByTestId('signed-in-as')), within).toBe(account.email);
    expect(await myOrders()).toEqual(listed);
    expect(problems.problems).toEqual([]);
  });

  it('had no console errors, uncaught exceptions or CSP violations on any page, and would have seen one', async () => {
    expect(watched.length).toBeGreaterThanOrEqual(4);
    for (const problems of watched) expect(problems.problems).toEqual([]);

    // The watch is not blind: an inline script is refused by the storefront's CSP, and reported.
    const probe = await open('/');
    await probe.page.evaluate(`(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__ran = true';
      document.head.append(s);
    })()`);
    await expect.poll(() => probe.problems.problems.join('\n'), within).toMatch(/CSP violation: script-src/);
    expect(await probe.page.evaluate('window.__ran === true')).toBe(false);
  });
});
