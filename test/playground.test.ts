import got from 'got';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlayground, playgroundNeedsBuild } from '../src/playground/build.js';
import { launchBrowser, type TestBrowser, type TrackedPage } from './utils/browser.js';
import { demoGatewayForSuite, startDemoGateway, type DemoGateway } from './utils/dashboard-gateway.js';
import { postGraphQL } from './utils/graphql.js';

let browser: TestBrowser;
let demo: DemoGateway;

beforeAll(async () => {
  // The gateway builds a missing bundle on the first request; building first keeps that out of the tests' time.
  if (await playgroundNeedsBuild()) await buildPlayground();
  [browser, demo] = await Promise.all([launchBrowser(), startDemoGateway()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

/** The text a Monaco editor shows (its model, not only the lines scrolled into view). */
async function editorText(tracked: TrackedPage, selector: string): Promise<string> {
  return tracked.page.evaluate<string, string>((css) => {
    const monaco = (globalThis as unknown as { __MONACO?: { editor: { getEditors(): Array<{ getContainerDomNode(): Element; getValue(): string }> } } }).__MONACO;
    const host = document.querySelector(css);
    const found = monaco?.editor.getEditors().find((candidate) => host?.contains(candidate.getContainerDomNode()) || candidate.getContainerDomNode().contains(host));
    return found?.getValue() ?? '';
  }, selector);
}
/** The variables or headers editor, whichever is shown. */
const TOOL_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';
const responseText = (tracked: TrackedPage) => editorText(tracked, '.graphiql-response');
const queryText = (tracked: TrackedPage) => editorText(tracked, '.graphiql-query-editor');

/** Opens the playground with every request that leaves 127.0.0.1 refused, as on a machine offline. */
async function openPlayground(): Promise<TrackedPage & { blocked: string[]; workers: string[] }> {
  const tracked = await browser.newPage();
  const blocked: string[] = [];
  const workers: string[] = [];
  await tracked.context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  tracked.page.on('worker', (worker) => workers.push(worker.url()));
  // GraphiQL ignores "run" until its introspection query has answered.
  const introspected = tracked.page.waitForResponse((response) => response.request().postData()?.includes('IntrospectionQuery') === true, { timeout: 20_000 });
  await tracked.page.goto(demo.url);
  await tracked.page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 20_000 });
  await introspected;
  return { ...tracked, blocked, workers };
}

describe('playground', () => {
  it('answers GET /graphql from a browser with GraphiQL and its workers served by the gateway itself, offline', async () => {
    const html = await fetch(demo.gateway.url, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('content-security-policy')).toContain("worker-src 'self'");
    // The 5 MB bundle is revalidated, not sent again (got: fetch marks conditional requests no-cache).
    const app = await got(`${demo.origin}/playground/app.js`);
    expect(app.headers['content-type']).toMatch(/^text\/javascript/);
    const again = await got(`${demo.origin}/playground/app.js`, { headers: { 'if-none-match': app.headers.etag } });
    expect(again.statusCode).toBe(304);
    const tracked = await openPlayground();
    await tracked.page.locator('.graphiql-execute-button').waitFor();
    // Monaco's language services run in the bundled workers, from this origin.
    await expect.poll(() => tracked.workers.some((url) => url === `${demo.origin}/playground/graphql.worker.js`)).toBe(true);
    expect(tracked.workers.every((url) => url.startsWith(demo.origin))).toBe(true);
    expect(tracked.blocked).toEqual([]);
    expect(tracked.foreignRequests()).toEqual([]);
    expect(tracked.errors).toEqual([]);
  });

  it('opens on a subscription whose variables name a running batch: Run shows it live', async () => {
    const tracked = await openPlayground();
    const { page } = tracked;
    expect(await queryText(tracked)).toContain('subscription Watch($id: ID!)');
    const { id } = JSON.parse(await editorText(tracked, TOOL_EDITOR)) as { id: string };
    const named = await postGraphQL<{ batch: { state: string } | null }>(demo.gateway.url, 'query($id: ID!) { batch(id: $id) { state } }', { id });
    expect(named.body.data?.batch?.state).toBe('RUNNING');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => responseText(tracked), { timeout: 15_000 }).toContain('"batchProgress"');
    const first = await responseText(tracked);
    // A later event replaces the first: the batch moves on while the page is open.
    await expect.poll(() => responseText(tracked), { timeout: 20_000 }).not.toBe(first);
    expect(tracked.requests.some((url) => url.startsWith('ws://127.0.0.1:') && url.endsWith('/graphql'))).toBe(true);
    await tracked.screenshot('playground');
    await page.locator('.graphiql-execute-button').click();
    expect(tracked.blocked).toEqual([]);
    expect(tracked.errors).toEqual([]);
  });
  it('shows the welcome text whole, without horizontal scrolling', async () => {
    const tracked = await openPlayground();
    const lines = await tracked.page.evaluate(() => {
      const editor = document.querySelector('.graphiql-query-editor .monaco-editor') as HTMLElement;
      const right = editor.getBoundingClientRect().right;
      return [...editor.querySelectorAll<HTMLElement>('.view-line')]
        .filter((line) => line.textContent?.trim().startsWith('#'))
        .map((line) => {
          const text = line.firstElementChild as HTMLElement;
          return { text: line.textContent?.replace(/\u00a0/g, ' '), fits: text.getBoundingClientRect().right <= right };
        });
    });
    expect(lines.map((line) => line.text).join(' ')).toContain('Welcome to batchgate');
    expect(lines.filter((line) => !line.fits)).toEqual([]);
  });

  it('runs the Batches tab, a typed query and a query picked in the explorer', async () => {
    const tracked = await openPlayground();
    const { page } = tracked;
    await page.getByRole('tab', { name: 'Batches' }).click();
    await expect.poll(() => queryText(tracked)).toContain('query Batches');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => responseText(tracked), { timeout: 10_000 }).toContain('"demo-azureml"');
    const text = await responseText(tracked);
    expect(text).toContain('"AWS_ML"');
    expect(text).toContain('"SLV"');

    // A new tab, a query typed by hand (Monaco closes brackets itself: type the opening ones only).
    await page.getByRole('button', { name: 'New tab' }).click();
    await page.locator('.graphiql-query-editor .monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ backends { kind', { delay: 5 });
    await page.keyboard.press('Escape');
    await expect.poll(() => queryText(tracked)).toMatch(/^\{ backends \{ kind\s*\}\s*\}$/);
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => responseText(tracked), { timeout: 10_000 }).toContain('"AZURE_ML"');

    // The explorer lists the schema's root fields; ticking one writes it into the editor.
    await page.getByRole('button', { name: 'Show GraphiQL Explorer' }).click();
    const explorer = page.locator('.graphiql-explorer-root, .docExplorerWrap').first();
    await explorer.waitFor();
    await explorer.getByText('batchByNativeId', { exact: true }).first().waitFor();
    await explorer.getByText('healthy', { exact: true }).first().click();
    await expect.poll(() => queryText(tracked)).toMatch(/backends\s*\{[^}]*healthy/);
    await tracked.screenshot('playground-explorer');
    expect(tracked.blocked).toEqual([]);
    expect(tracked.errors).toEqual([]);
  });

  it('runs a query pasted over the subscription and run at once, before GraphiQL has re-read the editor', async () => {
    const tracked = await openPlayground();
    const { page } = tracked;
    expect(await queryText(tracked)).toContain('subscription Watch');
    await page.locator('.graphiql-query-editor .monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText('query Quick { backends { id kind } }');
    // Within GraphiQL's 100 ms re-read: it still holds the name "Watch" and the subscription's document.
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect.poll(() => responseText(tracked), { timeout: 10_000 }).toContain('"AZURE_ML"');
    expect(await responseText(tracked)).not.toContain('errors');
    // A query goes over HTTP: the WebSocket is opened only for subscriptions (the client is lazy).
    expect(tracked.requests.some((url) => url.startsWith('ws://'))).toBe(false);
    expect(tracked.errors).toEqual([]);
  });
});

describe('playground with auth tokens', () => {
  const secured = demoGatewayForSuite({ overrides: { auth: { tokens: ['playground-test-token'] } } });

  /** Replaces a Monaco editor's text by typing (Monaco skips over the closers it inserted itself). */
  async function typeInto(tracked: TrackedPage, selector: string, text: string): Promise<void> {
    await tracked.page.locator(`${selector} .monaco-editor`).click();
    await tracked.page.keyboard.press('ControlOrMeta+A');
    await tracked.page.keyboard.press('Delete');
    await tracked.page.keyboard.type(text, { delay: 5 });
    await tracked.page.keyboard.press('Escape');
    await expect.poll(() => editorText(tracked, selector).then((shown) => shown.replace(/\s+/g, ''))).toBe(text.replace(/\s+/g, ''));
    // GraphiQL saves an editor into its tab a moment after the last key: switching tabs before
    // that would lose the text, as it would for a person switching that fast.
    await expect.poll(() => tracked.page.evaluate((typed) => (localStorage.getItem('graphiql:tabState') ?? '').replace(/\\n|\s+/g, '').includes(JSON.stringify(typed).slice(1, -1)), text.replace(/\s+/g, ''))).toBe(true);
  }

  it('asks for the token in the Headers tab and uses it over HTTP and the WebSocket', async () => {
    const tracked = await browser.newPage();
    const { page } = tracked;
    await page.goto(secured().url);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 20_000 });
    // Each tab has its own headers, each prefilled with the header to complete.
    const withToken = '{"Authorization": "Bearer playground-test-token"}';
    expect(await editorText(tracked, TOOL_EDITOR)).toContain('Bearer <your token>');
    await typeInto(tracked, TOOL_EDITOR, withToken);

    // The Batches tab runs over HTTP with the token.
    await page.getByRole('tab', { name: 'Batches' }).click();
    await page.getByRole('button', { name: 'Headers' }).click();
    expect(await editorText(tracked, TOOL_EDITOR)).toContain('Bearer <your token>');
    await typeInto(tracked, TOOL_EDITOR, withToken);
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => responseText(tracked), { timeout: 10_000 }).toContain('"demo-azureml"');
    const listed = await postGraphQL<{ batches: { edges: Array<{ node: { id: string } }> } }>(secured().url, '{ batches(states: [RUNNING], first: 1) { edges { node { id } } } }', undefined, {
      authorization: 'Bearer playground-test-token',
    });
    const id = listed.body.data!.batches.edges[0]!.node.id;

    // The Watch tab subscribes over the WebSocket, authorised by the same header.
    await page.getByRole('tab', { name: 'Watch' }).click();
    await page.getByRole('button', { name: 'Headers' }).click();
    await expect.poll(() => editorText(tracked, TOOL_EDITOR)).toContain('playground-test-token');
    await page.getByRole('button', { name: 'Variables' }).click();
    await typeInto(tracked, TOOL_EDITOR, `{"id": "${id}"}`);
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => responseText(tracked), { timeout: 15_000 }).toContain('"batchProgress"');
    expect(await responseText(tracked)).not.toContain('UNAUTHENTICATED');
    await page.locator('.graphiql-execute-button').click();
    expect(tracked.foreignRequests()).toEqual([]);
  });
});
