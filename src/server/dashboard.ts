import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type express from 'express';
import type { BackendModule } from '../backends/module.js';
import type { StartForms } from '../backends/start-form.js';
import { buildDashboard, dashboardNeedsBuild, DEFAULT_DASHBOARD_OUT_DIR } from '../dashboard/build.js';

export interface DashboardOptions {
  /** Folder of the built bundle. @default DEFAULT_DASHBOARD_OUT_DIR (`dist/dashboard`) */
  outDir?: string;
  /** Each registered kind's start form, served as `/dashboard/start-forms.json`. @default {} */
  startForms?: StartForms;
}

/** The start forms of the registered backend modules, keyed by their GraphQL `BackendKind` value. */
export const startFormsOf = (modules: readonly BackendModule[]): StartForms =>
  Object.fromEntries(modules.map((module) => [module.graphql.kind, { ...module.startForm, inputField: module.graphql.inputField }]));

/** Scripts and styles from this origin only; the socket for live updates goes to the same host. */
const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** A progress bar in a rounded square. */
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1c2430"/><rect x="3" y="7" width="10" height="3" rx="1.5" fill="#3d4a5c"/><rect x="3" y="7" width="6" height="3" rx="1.5" fill="#6ea8ff"/></svg>';

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * Serves the dashboard at `/` (assets under `/dashboard/`), read once into memory. Run from sources,
 * the first request builds the bundle when it is missing or older than its sources, so a fresh clone
 * works without a build step; the compiled gateway serves what `npm run build` bundled and never builds.
 */
export function attachDashboard(app: express.Express, options: DashboardOptions = {}): void {
  const outDir = options.outDir ?? DEFAULT_DASHBOARD_OUT_DIR;
  let files: Promise<Map<string, Buffer>> | null = null;
  const load = (): Promise<Map<string, Buffer>> => {
    files ??= (async () => {
      if (await dashboardNeedsBuild(outDir)) await buildDashboard({ outDir });
      const entries = await Promise.all(Object.keys(TYPES).map(async (name) => [name, await readFile(join(outDir, name))] as const));
      return new Map(entries);
    })().catch((error: unknown) => {
      // Let the next request try again (a source being saved mid-build, a full disk).
      files = null;
      throw error;
    });
    return files;
  };

  const send = async (name: string, res: express.Response, next: express.NextFunction) => {
    try {
      const body = (await load()).get(name);
      if (!body) return void res.status(404).end();
      res.setHeader('content-type', TYPES[name] as string);
      res.setHeader('content-security-policy', DASHBOARD_CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      // Revalidated each time: the bundle changes whenever the gateway is rebuilt.
      res.setHeader('cache-control', 'no-cache');
      res.end(body);
    } catch (error) {
      next(error);
    }
  };

  app.get('/', (_req, res, next) => void send('index.html', res, next));
  // Browsers ask for it on every page of this origin (the playground too); a 404 there is console noise.
  app.get('/favicon.ico', (_req, res) => {
    res.setHeader('content-type', 'image/svg+xml');
    res.setHeader('cache-control', 'public, max-age=86400');
    res.end(FAVICON);
  });
  // Plain descriptions (labels and demo defaults), no secrets: public like the bundle itself.
  const startForms = JSON.stringify(options.startForms ?? {});
  app.get('/dashboard/start-forms.json', (_req, res) => {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-cache');
    res.end(startForms);
  });
  app.get('/dashboard/:file', (req, res, next) => {
    const name = String(req.params['file']);
    if (name === 'index.html' || !Object.hasOwn(TYPES, name)) return void res.status(404).end();
    void send(name, res, next);
  });
}
