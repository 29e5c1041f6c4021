import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';

/** Debian's chromium; CI installs the same package. */
const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Screenshots of browser tests (git-ignored). */
const SCREENSHOT_DIR = join(process.cwd(), 'test-output', 'screenshots');

export interface TestBrowser {
  readonly browser: Browser;
  /** A fresh context and page that records every request URL it makes. */
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<TrackedPage>;
  /** The pages opened since the last call, for checks after each test. */
  takePages(): TrackedPage[];
  close(): Promise<void>;
}

export interface TrackedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Every URL the page requested (HTTP and WebSocket), in order. */
  readonly requests: string[];
  /** Console errors and uncaught page errors, to fail a test on a broken script. */
  readonly errors: string[];
  /** Requests whose host is not 127.0.0.1 (`data:`/`blob:`/`about:` URLs are not requests to anyone). */
  foreignRequests(): string[];
  screenshot(name: string): Promise<string>;
}

/** Headless chromium with everything that would phone home switched off. */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const contexts: BrowserContext[] = [];
  const opened: TrackedPage[] = [];
  return {
    browser,
    async newPage(options = {}) {
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 }, reducedMotion: 'reduce' });
      contexts.push(context);
      const page = await context.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('websocket', (socket) => requests.push(socket.url()));
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      const tracked: TrackedPage = {
        page,
        context,
        requests,
        errors,
        foreignRequests: () =>
          requests.filter((url) => {
            const parsed = new URL(url);
            if (['data:', 'blob:', 'about:'].includes(parsed.protocol)) return false;
            return parsed.hostname !== '127.0.0.1';
          }),
        async screenshot(name) {
          await mkdir(SCREENSHOT_DIR, { recursive: true });
          const path = join(SCREENSHOT_DIR, `${name}.png`);
          await page.screenshot({ path, fullPage: false });
          return path;
        },
      };
      opened.push(tracked);
      return tracked;
    },
    takePages: () => opened.splice(0),
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** Opens the dashboard at `url` and waits until it is live and shows its first rows. */
export async function openDashboard(browser: TestBrowser, url: string, viewport?: { width: number; height: number }): Promise<TrackedPage> {
  const tracked = await browser.newPage(viewport ? { viewport } : {});
  await tracked.page.goto(url);
  await tracked.page.locator('#live-status[data-connected="true"]').waitFor();
  await waitForWholeList(tracked.page);
  return tracked;
}

/** Waits until the dashboard has read every page of its list (rows show as pages arrive; a long list takes a while on a busy machine). */
export async function waitForWholeList(page: Page): Promise<void> {
  await page.locator('tbody tr[data-batch-id]').first().waitFor();
  await page.locator('#batches[aria-busy="false"]').waitFor({ timeout: 30_000 });
}

/** After each test, every page the browser opened stayed on 127.0.0.1 and its scripts did not throw. */
export function checkPagesAfterEach(browser: () => TestBrowser): void {
  afterEach(() => {
    for (const tracked of browser().takePages()) {
      expect(tracked.foreignRequests()).toEqual([]);
      expect(tracked.errors).toEqual([]);
    }
  });
}
