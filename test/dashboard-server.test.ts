import { mkdtempSync, rmSync, utimesSync, existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { DASHBOARD_FILES, dashboardNeedsBuild } from '../src/dashboard/build.js';
import { backendModules } from '../src/backends/index.js';
import { attachDashboard, startFormsOf } from '../src/server/dashboard.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(outDir: string, options: Omit<Parameters<typeof attachDashboard>[1], 'outDir'> = {}): Promise<string> {
  const app = express();
  attachDashboard(app, { outDir, ...options });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function tempDir(): string {
  const folder = mkdtempSync(join(tmpdir(), 'batchgate-dashboard-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

describe('dashboard server', () => {
  it('builds the bundle on the first request when it is missing, then serves it with a strict CSP', async () => {
    const outDir = join(tempDir(), 'bundle');
    expect(await dashboardNeedsBuild(outDir)).toBe(true);
    const origin = await serve(outDir);
    const [page, script, style] = await Promise.all([fetch(`${origin}/`), fetch(`${origin}/dashboard/app.js`), fetch(`${origin}/dashboard/app.css`)]);
    expect([page.status, script.status, style.status]).toEqual([200, 200, 200]);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/dashboard/app.js">');
    // Nothing in the page or bundle points at another host.
    expect(html).not.toMatch(/https?:\/\//);
    expect((await script.text()).length).toBeGreaterThan(1000);
    for (const file of DASHBOARD_FILES) expect(existsSync(join(outDir, file))).toBe(true);
    expect(await dashboardNeedsBuild(outDir)).toBe(false);
  });

  it("serves every registered kind's start form, keyed by its BackendKind, to a bundle that names no kind", async () => {
    const outDir = join(tempDir(), 'bundle');
    const origin = await serve(outDir, { startForms: startFormsOf(backendModules) });
    const response = await fetch(`${origin}/dashboard/start-forms.json`);
    expect(response.status).toBe(200);
    const forms = (await response.json()) as Record<string, { inputField: string; title: string }>;
    expect(Object.keys(forms)).toEqual(backendModules.map((module) => module.graphql.kind));
    for (const module of backendModules) expect(forms[module.graphql.kind]).toMatchObject({ inputField: module.graphql.inputField, title: module.startForm.title });
    // The forms come from the gateway: the bundle itself knows no kind, so a new backend needs no dashboard change.
    const script = await (await fetch(`${origin}/dashboard/app.js`)).text();
    for (const module of backendModules) {
      expect(script).not.toContain(`"${module.graphql.kind}"`);
      expect(script).not.toContain(`"${module.graphql.inputField}"`);
    }
  });

  it('answers 404 for files that are not part of the dashboard', async () => {
    const origin = await serve(join(tempDir(), 'bundle'));
    expect((await fetch(`${origin}/dashboard/index.html`)).status).toBe(404);
    expect((await fetch(`${origin}/dashboard/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${origin}/dashboard/main.ts`)).status).toBe(404);
  });

  it('treats a bundle older than its sources as stale', async () => {
    const outDir = join(tempDir(), 'bundle');
    const origin = await serve(outDir);
    expect((await fetch(`${origin}/`)).status).toBe(200);
    const old = new Date(Date.now() - 365 * 24 * 3600 * 1000);
    for (const file of DASHBOARD_FILES) utimesSync(join(outDir, file), old, old);
    expect(await dashboardNeedsBuild(outDir)).toBe(true);
  });
});
