import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendModules } from '../src/backends/index.js';
import { checkPagesAfterEach, launchBrowser, openDashboard as openPage, type TestBrowser, type TrackedPage } from './utils/browser.js';
import { demoGatewayForSuite, startDemoGateway, type DemoGateway } from './utils/dashboard-gateway.js';
import { postGraphQL } from './utils/graphql.js';

let browser: TestBrowser;
let demo: DemoGateway;

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchBrowser(), startDemoGateway()]);
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});
checkPagesAfterEach(() => browser);

const openDashboard = () => openPage(browser, demo.origin);

const rowOf = (tracked: TrackedPage, id: string) => tracked.page.locator(`tr[data-batch-id="${id}"]`);

/** Starts a batch through the gateway, as another client would, and waits for its row on the page. */
async function startShown(tracked: TrackedPage, input: Record<string, unknown>): Promise<string> {
  const started = await postGraphQL<{ startBatch: { batch: { id: string } } }>(demo.url, 'mutation($input: StartBatchInput!) { startBatch(input: $input) { batch { id } } }', { input });
  const id = started.body.data!.startBatch.batch.id;
  await rowOf(tracked, id).waitFor({ timeout: 10_000 });
  return id;
}

describe('dashboard', () => {
  it('shows the demo batches of every backend in one table with their progress bars', async () => {
    const tracked = await openDashboard();
    const listed = await postGraphQL<{ batches: { edges: Array<{ node: { id: string; backend: { id: string } } }> } }>(
      demo.gateway.url,
      '{ batches(first: 100) { edges { node { id backend { id } } } } }',
    );
    const ids = listed.body.data!.batches.edges.map((edge) => edge.node.id);
    await expect.poll(() => tracked.page.locator('tbody tr[data-batch-id]').count()).toBeGreaterThanOrEqual(ids.length);
    for (const id of ids) expect(await rowOf(tracked, id).count()).toBe(1);
    const backends = await tracked.page.locator('tbody td.backend').allTextContents();
    expect(new Set(backends)).toEqual(new Set(listed.body.data!.batches.edges.map((edge) => edge.node.backend.id)));
    expect(new Set(backends)).toContain('demo-azureml');
    expect(new Set(backends)).toContain('demo-awsml');
    expect(await tracked.page.locator('tbody [role="progressbar"]').count()).toBe(await tracked.page.locator('tbody tr[data-batch-id]').count());
    await expect.poll(() => tracked.page.locator('a[href="/graphql"]').count()).toBe(1);
    await tracked.screenshot('dashboard');
  });

  it('leaves aria-valuenow off a bar whose percent the backend does not know', async () => {
    const tracked = await openDashboard();
    // Amazon ML reports no progress while a prediction runs.
    const running = tracked.page.locator('tbody tr:has(td.backend:text-is("demo-awsml")):has(.badge[data-state="RUNNING"]) [role="progressbar"]');
    await running.first().waitFor();
    for (const bar of await running.all()) expect(await bar.getAttribute('aria-valuenow')).toBeNull();
    const done = tracked.page.locator('tbody .badge[data-state="SUCCEEDED"]').first().locator('xpath=ancestor::tr').locator('[role="progressbar"]');
    expect(await done.getAttribute('aria-valuenow')).toBe('100');
  });

  it('moves a progress bar without reloading the page', async () => {
    const tracked = await openDashboard();
    let navigations = 0;
    tracked.page.on('framenavigated', () => (navigations += 1));
    const bar = tracked.page.locator('tbody tr:has(.badge[data-state="RUNNING"]) [role="progressbar"][aria-valuenow]').first();
    const id = await bar.locator('xpath=ancestor::tr').getAttribute('data-batch-id');
    const before = Number(await bar.getAttribute('aria-valuenow'));
    const sameBar = rowOf(tracked, id!).locator('[role="progressbar"]');
    await expect.poll(async () => Number((await sameBar.getAttribute('aria-valuenow')) ?? 100), { timeout: 15_000 }).toBeGreaterThan(before);
    expect(navigations).toBe(0);
  });

  it('starts a batch from the form and shows it finish without a reload', async () => {
    const tracked = await openDashboard();
    const { page } = tracked;
    await page.getByRole('button', { name: 'Start a batch…' }).click();
    await page.getByLabel('Backend', { exact: true }).and(page.locator('#start-backend')).selectOption('demo-azureml');
    await page.getByLabel('Web service').fill('TxService');
    await page.locator('#start-dialog').getByRole('button', { name: 'Start', exact: true }).click();
    await page.locator('#start-dialog').waitFor({ state: 'hidden' });
    const title = page.locator('#detail-title');
    await title.waitFor();
    const id = await page.locator('tbody tr.selected').getAttribute('data-batch-id');
    await expect.poll(() => rowOf(tracked, id!).locator('.badge').getAttribute('data-state'), { timeout: 20_000 }).toBe('SUCCEEDED');
    expect(await rowOf(tracked, id!).locator('[role="progressbar"]').getAttribute('aria-valuenow')).toBe('100');
    await expect.poll(() => page.locator('#details .badge[data-state="SUCCEEDED"]').count()).toBeGreaterThan(0);
    expect(await page.locator('#details .executions > li').count()).toBe(2);
  });

  it("starts a batch on every kind from its form's defaults, each form as its backend folder describes it", async () => {
    const tracked = await openDashboard();
    const { page } = tracked;
    const dialog = page.locator('#start-dialog');
    for (const module of backendModules) {
      await page.getByRole('button', { name: 'Start a batch…' }).click();
      await page.locator('#start-backend').selectOption(`demo-${module.kind}`);
      await expect.poll(() => dialog.locator('legend').first().textContent()).toBe(module.startForm.legend);
      // The dialog closes only once the gateway accepted the start; a refusal stays in it as an error.
      await dialog.getByRole('button', { name: 'Start', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      // The started batch opens in the details panel, drawn on the next frame.
      await page.locator('#detail-title').waitFor({ state: 'visible' });
    }
  });

  it('opens a batch into its executions, steps and highlighted messages', async () => {
    const tracked = await openDashboard();
    const { page } = tracked;
    // The demo's CSV import has rows with missing columns: warnings in its steps.
    const id = await startShown(tracked, { backend: 'demo-slv', slv: { importDevicesCsv: { csv: 'idOnController;name;lat;lng;model\nlamp-1;Lamp 1\nlamp-2;Lamp 2;48.1;2.3;LED' } } });
    await rowOf(tracked, id).locator('[data-action="open"]').click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('detail-title');
    await expect.poll(() => page.locator('#details .badge').first().getAttribute('data-state'), { timeout: 20_000 }).toMatch(/SUCCEEDED|FAILED/);
    await page.locator('#details summary').first().click();
    await page.locator('#details .message[data-severity="WARNING"]').first().waitFor();
    await tracked.screenshot('batch-details');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#details').isHidden()).toBe(true);
    // Focus returns to the row the details came from.
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-batch-id'))).toBe(id);
  });

  it('cancels a running batch only after confirmation', async () => {
    const tracked = await openDashboard();
    const { page } = tracked;
    // One record at a time, a hundred records: it runs long enough to be cancelled.
    const id = await startShown(tracked, {
      backend: 'demo-azureml',
      azureMl: { service: 'TxService', version: '1.0', records: Array.from({ length: 100 }, (_, hp) => ({ hp, wt: 2.5 })), parallelCount: 1 },
    });
    const cancel = rowOf(tracked, id).getByRole('button', { name: /^Cancel / });
    await cancel.click();
    await page.locator('#confirm-dialog').waitFor();
    await page.getByRole('button', { name: 'Keep it running' }).click();
    await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
    expect(['QUEUED', 'RUNNING']).toContain(await rowOf(tracked, id).locator('.badge').getAttribute('data-state'));

    await cancel.click();
    await page.getByRole('button', { name: 'Cancel the batch' }).click();
    await expect.poll(() => rowOf(tracked, id).locator('.badge').getAttribute('data-state'), { timeout: 15_000 }).toBe('CANCELLED');
    expect(await cancel.isHidden()).toBe(true);
  });

  it('filters the table by backend and by state', async () => {
    const tracked = await openDashboard();
    const { page } = tracked;
    await page.getByLabel('Backend', { exact: true }).and(page.locator('#filter-backend')).selectOption('demo-awsml');
    const visibleBackends = () => page.locator('tbody tr:visible td.backend').allTextContents();
    await expect.poll(async () => new Set(await visibleBackends())).toEqual(new Set(['demo-awsml']));
    await page.locator('#filter-state').selectOption('SUCCEEDED');
    // The table re-renders after the filter's change event: read it once it has.
    const states = () => page.locator('tbody tr:visible .badge').evaluateAll((badges) => badges.map((badge) => (badge as HTMLElement).dataset['state']));
    await expect.poll(async () => new Set(await states())).toEqual(new Set(['SUCCEEDED']));
    await page.locator('#filter-backend').selectOption('');
    await page.locator('#filter-state').selectOption('');
    // Cleared: every backend is back, and no rendered row is hidden.
    await expect.poll(async () => new Set(await visibleBackends()).size).toBeGreaterThan(1);
    await expect.poll(async () => (await page.locator('tbody tr[data-batch-id]').count()) - (await page.locator('tbody tr:visible').count())).toBe(0);
  });
});

describe('dashboard with auth tokens', () => {
  const secured = demoGatewayForSuite({ overrides: { auth: { tokens: ['dashboard-test-token'] } } });

  it('asks for a token, keeps it for the tab and uses it over HTTP and WebSocket', async () => {
    const tracked = await browser.newPage();
    const { page } = tracked;
    await page.goto(secured().origin);
    await page.locator('#token-dialog').waitFor();
    // The refused first request is expected; the browser reports it on the console.
    tracked.errors.splice(0);
    await page.getByLabel('Token', { exact: true }).fill('dashboard-test-token');
    await page.getByRole('button', { name: 'Use this token' }).click();
    await page.locator('tbody tr[data-batch-id]').first().waitFor();
    await page.locator('#live-status[data-connected="true"]').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('batchgate:token'))).toBe('dashboard-test-token');
    // A reload keeps the token: no prompt, data at once.
    await page.reload();
    await page.locator('tbody tr[data-batch-id]').first().waitFor();
    expect(await page.locator('#token-dialog').isVisible()).toBe(false);
    expect(tracked.errors).toEqual([]);
  });
});
