import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildPlayground, DEFAULT_PLAYGROUND_OUT_DIR, PLAYGROUND_FILES, playgroundNeedsBuild } from '../../playground/build.js';

/**
 * GraphiQL served entirely from the gateway: one esbuild bundle of GraphiQL, its explorer plugin,
 * React and Monaco (with Monaco's workers as files of their own), so the playground works offline
 * and no page loads anything from a CDN.
 */

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface PlaygroundAssets {
  /** A file of the bundle by name, or null; the first call builds the bundle when missing or stale. */
  get(name: string): Promise<{ body: Buffer; type: string } | null>;
}

/** Serves the bundle from `outDir`, read once into memory. @param outDir @default DEFAULT_PLAYGROUND_OUT_DIR */
export function createPlaygroundAssets(outDir: string = DEFAULT_PLAYGROUND_OUT_DIR): PlaygroundAssets {
  let files: Promise<Map<string, Buffer>> | null = null;
  const load = (): Promise<Map<string, Buffer>> => {
    files ??= (async () => {
      if (await playgroundNeedsBuild(outDir)) await buildPlayground({ outDir });
      const entries = await Promise.all(PLAYGROUND_FILES.map(async (name) => [name as string, await readFile(join(outDir, name))] as const));
      return new Map(entries);
    })().catch((error: unknown) => {
      // Let the next request try again (a source being saved mid-build, a full disk).
      files = null;
      throw error;
    });
    return files;
  };
  return {
    async get(name) {
      if (!(PLAYGROUND_FILES as readonly string[]).includes(name)) return null;
      const body = (await load()).get(name);
      const type = TYPES[name.slice(name.lastIndexOf('.'))];
      return body && type ? { body, type } : null;
    },
  };
}

export interface PlaygroundOptions {
  /** The GraphQL endpoint path. @default '/graphql' */
  endpoint?: string;
  /** Shows a Headers tab prefilled with an Authorization header to complete. */
  authRequired: boolean;
}

const escapeAttribute = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function playgroundHtml(options: PlaygroundOptions): string {
  const headers = options.authRequired ? JSON.stringify({ Authorization: 'Bearer <your token>' }, null, 2) : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>batchgate playground</title>
  <link rel="icon" href="/favicon.ico" type="image/svg+xml">
  <link rel="stylesheet" href="/playground/app.css">
  <script type="module" src="/playground/app.js"></script>
</head>
<body style="margin: 0">
  <div id="graphiql" style="height: 100vh" data-endpoint="${escapeAttribute(options.endpoint ?? '/graphql')}"
       data-default-headers="${escapeAttribute(headers)}">Loading the playground…</div>
</body>
</html>`;
}

/**
 * Scripts and workers from this origin only; no inline scripts. GraphiQL and Monaco set inline
 * styles, and their fonts and icons are data: URLs inside the bundle's CSS.
 */
export const PLAYGROUND_CSP =
  "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
