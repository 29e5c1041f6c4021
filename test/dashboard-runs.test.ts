import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPagesAfterEach, launchBrowser, openDashboard as openPage, waitForWholeList, type TestBrowser, type TrackedPage } from './utils/browser.js';
import { startDemoGateway, type DemoGateway } from './utils/dashboard-gateway.js';
import { moduleOf } from './utils/emulators.js';
import { postGraphQL } from './utils/graphql.js';

/**
 * The dashboard as a runs page on a long-running demo: a few hundred batches (seeded by starting
 * them through the gateway, as a client would), read at a phone's width and from the keyboard.
 */

const SEEDED = 240;
let browser: TestBrowser;
let demo: DemoGateway;

const START = 'mutation($input: StartBatchInput!) { startBatch(input: $input) { batch { id nativeId name } } }';
type Started = { startBatch: { batch: { id: string; nativeId: string; name: string | null } } };

/** A one-record ML Server batch: done within a few ticks. */
const shortBatch = { backend: 'demo-azureml', azureMl: { service: 'TxService', version: '1.0', records: [{ hp: 1, wt: 2.5 }] } };
/** A hundred records one at a time: it runs long enough to be watched and cancelled. */
const longBatch = {
  backend: 'demo-azureml',
  azureMl: { service: 'TxService', version: '1.0', records: Array.from({ length: 100 }, (_, hp) => ({ hp, wt: 2.5 })), parallelCount: 1 },
};

async function start(input: unknown): Promise<Started['startBatch']['batch']> {
  const result = await postGraphQL<Started>(demo.gateway.url, START, { input });
  if (!result.body.data) throw new Error(JSON.stringify(result.body.errors));
  return result.body.data.startBatch.batch;
}

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchBrowser(), startDemoGateway()]);
  for (let at = 0; at < SEEDED; at += 20) await Promise.all(Array.from({ length: Math.min(20, SEEDED - at) }, () => start(shortBatch)));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});
checkPagesAfterEach(() => browser);

const openDashboard = (path = '', viewport?: { width: number; height: number }) => openPage(browser, `${demo.origin}/${path}`, viewport);

const rowStates = (tracked: TrackedPage) =>
  tracked.page.locator('tbody tr .badge').evaluateAll((badges) => badges.map((badge) => (badge as HTMLElement).dataset['state'] ?? ''));
const isLive = (state: string) => state === 'RUNNING' || state === 'QUEUED' || state === 'CANCELLING';

// A page holding a few hundred rows is slow to load on a busy two-core machine: more room than the default.
describe('dashboard runs page', { timeout: 60_000 }, () => {
  it('shows hundreds of batches 50 to a page, running ones first, and pages and sorts through the URL', async () => {
    const running = await start(longBatch);
    const tracked = await openDashboard();
    const { page } = tracked;
    await expect.poll(() => page.locator('.page-status').textContent(), { timeout: 15_000 }).toMatch(/^1–50 of (\d+) · page 1 of \d+$/);
    const total = Number(/of (\d+) ·/.exec((await page.locator('.page-status').textContent())!)![1]);
    expect(total).toBeGreaterThan(SEEDED);
    expect(await page.locator('tbody tr').count()).toBe(50);
    // Running first: no finished batch above a running one, and the long one started just now is on page one.
    await expect.poll(async () => {
      const states = await rowStates(tracked);
      return states.findIndex((state) => !isLive(state)) >= states.findLastIndex(isLive);
    }).toBe(true);
    await page.locator(`tr[data-batch-id="${running.id}"]`).waitFor();
    await tracked.screenshot('dashboard-many');

    // The table redraws every second (durations) and on every live event: the pager keeps focus through it.
    await page.getByRole('button', { name: 'Next ›' }).focus();
    await sleep(1_500);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe('next-page');
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('page')).toBe('2');
    await expect.poll(() => page.locator('.page-status').textContent()).toMatch(/^51–100 of/);
    expect(await page.locator(`tr[data-batch-id="${running.id}"]`).count()).toBe(0);

    // Sorting by duration, longest first, from its header; a reload keeps the order and the page.
    await page.getByRole('button', { name: 'Duration' }).click();
    await expect.poll(() => new URL(page.url()).search).toBe('?sort=duration&dir=desc');
    await expect.poll(() => page.locator('th.col-duration').getAttribute('aria-sort')).toBe('descending');
    await page.getByRole('button', { name: 'Next ›' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('page')).toBe('2');
    await page.reload();
    await waitForWholeList(page);
    expect(await page.locator('th.col-duration').getAttribute('aria-sort')).toBe('descending');
    await expect.poll(() => page.locator('.page-status').textContent()).toMatch(/^51–100 of/);
  });

  it('finds a batch by its native id and opens the same view from a shared link', async () => {
    const target = await start(longBatch);
    const tracked = await openDashboard();
    const { page } = tracked;
    await page.getByRole('searchbox', { name: 'Search' }).fill(target.nativeId.slice(-12));
    // A batch started a moment before the page opened may reach it with the next live update
    // rather than the first read of the list.
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 20_000 }).toBe(1);
    await page.locator(`tr[data-batch-id="${target.id}"] [data-action="open"]`).click();
    await page.locator('#detail-title').waitFor();
    const link = page.url();
    expect(new URL(link).searchParams.get('q')).toBe(target.nativeId.slice(-12));
    expect(new URL(link).searchParams.get('batch')).toBe(target.id);

    const shared = await openDashboard(new URL(link).search);
    expect(await shared.page.getByRole('searchbox', { name: 'Search' }).inputValue()).toBe(target.nativeId.slice(-12));
    await expect.poll(() => shared.page.locator('tbody tr').count()).toBe(1);
    await expect.poll(() => shared.page.locator('#details code').first().textContent()).toBe(target.nativeId);
    // Back closes the panel, as it opened with a history entry.
    await page.goBack();
    await expect.poll(() => page.locator('#details').isHidden()).toBe(true);
  });

  it('keeps every row\'s state and progress on screen at 390 px, without sideways scrolling', async () => {
    // A batch without a name is titled by its native id, here one long word (an id derived from the idempotency key).
    const { name: _name, ...unnamed } = moduleOf('awsml').fixtures.sampleGraphQLInput();
    const nameless = await start({ backend: 'demo-awsml', awsMl: unnamed, idempotencyKey: `narrow-${Date.now()}` });
    expect(nameless.name).toBeNull();
    const tracked = await openDashboard('', { width: 390, height: 844 });
    const { page } = tracked;
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(50);
    const layout = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const outside = (element: Element | null) => {
        if (!element) return true;
        const box = element.getBoundingClientRect();
        return box.width === 0 || box.left < 0 || box.right > width;
      };
      const rows = [...document.querySelectorAll('tbody tr')];
      return {
        width,
        pageWidth: document.documentElement.scrollWidth,
        tableScrolls: (() => {
          const wrap = document.querySelector('.table-wrap')!;
          return wrap.scrollWidth > wrap.clientWidth;
        })(),
        hiddenStates: rows.filter((row) => outside(row.querySelector('.badge'))).length,
        hiddenBars: rows.filter((row) => outside(row.querySelector('[role="progressbar"]'))).length,
        hiddenNames: rows.filter((row) => outside(row.querySelector('[data-action="open"]'))).length,
        hiddenControls: [...document.querySelectorAll('header.top button:not([hidden]), .filters select, .filters input')].filter(outside).length,
      };
    });
    await tracked.screenshot('dashboard-390');
    expect(layout).toEqual({ width: 390, pageWidth: 390, tableScrolls: false, hiddenStates: 0, hiddenBars: 0, hiddenNames: 0, hiddenControls: 0 });
    await page.getByLabel('Search').fill(nameless.nativeId);
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody [data-action="open"]').textContent()).toBe(nameless.nativeId);
    expect(await page.evaluate(() => [document.documentElement.scrollWidth, document.querySelector('.table-wrap')!.scrollWidth <= document.querySelector('.table-wrap')!.clientWidth])).toEqual([390, true]);
    await page.getByLabel('Search').fill('');
    // The details open below the table and fit too.
    await page.locator('tbody [data-action="open"]').first().click();
    await page.locator('#detail-title').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    await page.locator('#details').scrollIntoViewIfNeeded();
    await tracked.screenshot('batch-details-390');
  });

  it('is operable from the keyboard alone: search, sort, open, cancel dialog, close', async () => {
    const target = await start(longBatch);
    const tracked = await openDashboard();
    const { page } = tracked;
    /** Presses Tab until the focused element matches a CSS selector (at most 60 times). */
    const tabTo = async (selector: string, text?: string) => {
      for (let step = 0; step < 60; step += 1) {
        await page.keyboard.press('Tab');
        const reached = await page.evaluate(
          ([css, label]) => Boolean(document.activeElement?.matches(css)) && (label === null || document.activeElement?.textContent === label),
          [selector, text ?? null] as const,
        );
        if (reached) return;
      }
      throw new Error(`Tab never reached ${selector} ${text ?? ''}`);
    };
    // The first Tab offers the skip link.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the batches');
    await tabTo('#filter-search');
    await page.keyboard.type(target.nativeId.slice(-12));
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 20_000 }).toBe(1);
    // Enter in the search box keeps the search: it does not submit the filters and reload the page.
    await page.evaluate(() => Object.assign(window, { beforeEnter: true }));
    await page.keyboard.press('Enter');
    // Long enough for a form submission to have navigated away.
    await sleep(500);
    expect(await page.evaluate(() => (window as { beforeEnter?: boolean }).beforeEnter)).toBe(true);
    expect(new URL(page.url()).searchParams.get('q')).toBe(target.nativeId.slice(-12));
    expect(await page.locator('tbody tr').count()).toBe(1);
    await tabTo('button.sort', 'State');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('th.col-state').getAttribute('aria-sort')).not.toBeNull();
    await tabTo('tbody [data-action="open"]');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('detail-title');
    await tabTo('#details button', 'Cancel this batch');
    await page.keyboard.press('Enter');
    await page.locator('#confirm-dialog').waitFor();
    // The dialog opens on the harmless choice; Escape leaves the batch running.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('confirm-keep');
    await page.keyboard.press('Escape');
    await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#details').isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-batch-id'))).toBe(target.id);
    expect(['QUEUED', 'RUNNING']).toContain(await page.locator(`tr[data-batch-id="${target.id}"] .badge`).getAttribute('data-state'));
  });

  it('shows Cancelled in the detail panel after a cancel, with Cancel disabled and no live-update warning', async () => {
    const target = await start(longBatch);
    const tracked = await openDashboard(`?batch=${encodeURIComponent(target.id)}`);
    const { page } = tracked;
    const panelState = () => page.locator('#details .panel-head .badge').getAttribute('data-state');
    await expect.poll(panelState, { timeout: 10_000 }).toMatch(/QUEUED|RUNNING/);
    await page.getByRole('button', { name: 'Cancel this batch' }).click();
    await page.getByRole('button', { name: 'Cancel the batch' }).click();
    await expect.poll(panelState, { timeout: 15_000 }).toBe('CANCELLED');
    expect(await page.getByRole('button', { name: 'Cancel this batch' }).isDisabled()).toBe(true);
    await expect.poll(() => page.locator(`tr[data-batch-id="${target.id}"] .badge`).getAttribute('data-state')).toBe('CANCELLED');
    // A read of the batch after the cancel (ML Server forgets a cancelled execution; the gateway
    // answers from its record) leaves the panel at the end, with no "live updates paused".
    const read = await postGraphQL<{ batch: { state: string } | null }>(demo.gateway.url, 'query($id: ID!) { batch(id: $id) { state } }', { id: target.id });
    expect(read.body.data?.batch?.state).toBe('CANCELLED');
    expect(await panelState()).toBe('CANCELLED');
    expect(await page.locator('#details .warning-box').count()).toBe(0);
    // With the panel open beside it, the table still fits its frame.
    expect(await page.locator('.table-wrap').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth)).toBe(0);
    await tracked.screenshot('batch-cancelled');
  });
});
