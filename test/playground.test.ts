import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser, type TrackedPage } from './utils/browser.js';
import { startDemoGateway, type DemoGateway } from './utils/dashboard-gateway.js';

let browser: TestBrowser;
let demo: DemoGateway;

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchBrowser(), startDemoGateway()]);
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

/** Replaces the query editor's text by typing, as a person would. */
async function typeQuery(tracked: TrackedPage, text: string): Promise<void> {
  const { page } = tracked;
  await page.locator('.graphiql-query-editor .CodeMirror').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // GraphiQL closes brackets itself: type the opening ones only, then step over the closers.
  await page.keyboard.type(text, { delay: 5 });
  await page.keyboard.press('Escape');
  // GraphiQL takes the editor's text into its state after a debounce (and stores it then): run
  // only once the stored query is what the editor shows, or the click runs the previous text.
  await page.waitForFunction(() => {
    const editor = document.querySelector('.graphiql-query-editor .CodeMirror') as (Element & { CodeMirror?: { getValue(): string } }) | null;
    const shown = editor?.CodeMirror?.getValue();
    return Boolean(shown) && localStorage.getItem('graphiql:query') === shown;
  });
}

const responseText = (tracked: TrackedPage) => tracked.page.locator('.graphiql-response').innerText();

async function openPlayground(): Promise<TrackedPage> {
  const tracked = await browser.newPage();
  await tracked.page.goto(`${demo.origin}graphql`);
  await tracked.page.locator('.graphiql-query-editor .CodeMirror').waitFor();
  // GraphiQL ignores "run" until its introspection query has answered.
  await tracked.page.waitForLoadState('networkidle');
  return tracked;
}

describe('playground', () => {
  it('answers GET /graphql from a browser with GraphiQL served by the gateway itself', async () => {
    const html = await fetch(demo.gateway.url, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const tracked = await openPlayground();
    await tracked.page.locator('.graphiql-execute-button').waitFor();
    expect(tracked.foreignRequests()).toEqual([]);
    expect(tracked.errors).toEqual([]);
  });

  it('runs a typed query and shows the data', async () => {
    const tracked = await openPlayground();
    await typeQuery(tracked, '{ backends { id kind healthy ');
    await tracked.page.locator('.graphiql-execute-button').click();
    await expect.poll(() => responseText(tracked), { timeout: 10_000 }).toContain('demo-azureml');
    const text = await responseText(tracked);
    expect(text).toContain('"AWS_ML"');
    expect(text).toContain('"SLV"');
    await tracked.screenshot('playground');
    expect(tracked.foreignRequests()).toEqual([]);
    expect(tracked.errors).toEqual([]);
  });

  it('runs a subscription over WebSocket and shows its events', async () => {
    const tracked = await openPlayground();
    await typeQuery(tracked, 'subscription Live { batchUpdates { terminal batch { id state progress { percent ');
    await tracked.page.locator('.graphiql-execute-button').click();
    await expect.poll(() => responseText(tracked), { timeout: 15_000 }).toContain('"batchUpdates"');
    expect(tracked.requests.some((url) => url.startsWith('ws://127.0.0.1:') && url.endsWith('/graphql'))).toBe(true);
    // The same button stops the subscription.
    await tracked.page.locator('.graphiql-execute-button').click();
    expect(tracked.foreignRequests()).toEqual([]);
    expect(tracked.errors).toEqual([]);
  });
});
