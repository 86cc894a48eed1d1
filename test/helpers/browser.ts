/**
 * A real browser for end-to-end tests: Debian's Chromium (`apt-get install chromium`, which .ci/run
 * does), driven by playwright-core. Playwright's own browser downloads are not used.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (.ci/run does), or set CHROMIUM_PATH`,
    );
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

/**
 * A network answer the page is expected to get and that Chromium logs as a console error ("Failed to
 * load resource: … status of 404"): the status and the path (or a pattern of it).
 */
export interface ExpectedFailure {
  status: number;
  path: string | RegExp;
}

/**
 * What went wrong on a context's pages: console errors (CSP violations among them), uncaught
 * exceptions, and a `securitypolicyviolation` event seen by the page itself. A failed load listed in
 * `expected` is not a problem (a stranger's 404, a wrong password's 401).
 */
export class PageProblems {
  readonly problems: string[] = [];
  readonly expected: ExpectedFailure[] = [];

  constructor(readonly context: BrowserContext) {}

  /** Also watches `page` (call for each page opened in the context). */
  watch(page: Page): Page {
    page.on('console', (message) => this.onConsole(message));
    page.on('pageerror', (error) => this.problems.push(`uncaught: ${error.stack ?? error.message}`));
    return page;
  }

  expect(...failures: ExpectedFailure[]): void {
    this.expected.push(...failures);
  }

  private onConsole(message: ConsoleMessage): void {
    if (message.type() !== 'error') return;
    const text = message.text();
    const where = message.location().url;
    const status = /status of (\d{3})/.exec(text)?.[1];
    if (status && /^Failed to load resource/.test(text)) {
      let path = where;
      try {
        path = new URL(where).pathname;
      } catch {
        // not a URL: kept as it is
      }
      const ok = this.expected.some(
        (e) => e.status === Number(status) && (typeof e.path === 'string' ? e.path === path : e.path.test(path)),
      );
      if (ok) return;
    }
    this.problems.push(`console error: ${text}${where ? ` (${where})` : ''}`);
  }
}

/**
 * Reports CSP violations as console errors, whatever the browser itself logs about them (init scripts
 * run outside the page's CSP).
 */
const REPORT_CSP_VIOLATIONS = `
  document.addEventListener('securitypolicyviolation', (event) => {
    console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') +
      ' at ' + event.sourceFile + ':' + event.lineNumber);
  });
`;

/**
 * A fresh browser context (no cookies, no storage: a new browser profile, as a stranger's) whose
 * pages are watched for problems; `open(path)` opens a page on `baseUrl` and waits for it to load.
 */
export async function freshContext(browser: Browser, baseUrl: string) {
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: 'en-US',
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  await context.addInitScript({ content: REPORT_CSP_VIOLATIONS });
  const problems = new PageProblems(context);
  return {
    context,
    problems,
    async open(path: string): Promise<Page> {
      const page = problems.watch(await context.newPage());
      await page.goto(path, { waitUntil: 'load' });
      return page;
    },
  };
}
