import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForUrlLine } from './utils/gateway-process.js';

/**
 * SLOW (about a minute: a build and an `npm ci` of ~300 MB). The production form as an operator
 * runs it: the tracked files plus `npm run build`'s dist/ copied to a clean folder, `npm ci
 * --omit=dev` there, then `node dist/main.js` and `batchgate serve` with production dependencies
 * only — no tsx, no TypeScript.
 *
 * One step differs from an operator's install, to keep the test within minutes on a busy machine:
 * install scripts are skipped and better-sqlite3's native addon is copied from this project's own
 * install of the same locked version instead of compiled again (several minutes of C++); the
 * `prepare` script is then run by itself.
 */

const project = process.cwd();
const builtinSqlite = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sqlite') !== undefined;
let folder: string;
let install: { status: number | null; output: string };

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'batchgate-production-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: project, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(project, file))) continue;
    mkdirSync(dirname(join(folder, file)), { recursive: true });
    cpSync(join(project, file), join(folder, file));
  }
  // `npm run build` in the copy, with the project's dev dependencies lent for the build only.
  symlinkSync(join(project, 'node_modules'), join(folder, 'node_modules'), 'dir');
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: folder, stdio: 'pipe' });
  unlinkSync(join(folder, 'node_modules'));

  const env = { ...process.env, NODE_ENV: 'production' };
  // Where Node has node:sqlite, the store needs no native module: the optional better-sqlite3 is left out.
  const omit = builtinSqlite ? ['--omit=dev', '--omit=optional'] : ['--omit=dev'];
  const npm = spawnSync('npm', ['ci', ...omit, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: folder, encoding: 'utf8', env });
  const addon = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(join(project, addon)) && existsSync(join(folder, 'node_modules', 'better-sqlite3'))) cpSync(join(project, addon), join(folder, addon));
  const prepare = spawnSync('npm', ['run', 'prepare'], { cwd: folder, encoding: 'utf8', env });
  install = { status: npm.status ?? prepare.status, output: `${npm.stdout}\n${npm.stderr}\n${prepare.stdout}\n${prepare.stderr}` };
  if (prepare.status !== 0) install.status = prepare.status;
}, 240_000);

// Removing some 300 MB of node_modules can take a while on a busy disk.
afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
}, 120_000);

function duMiB(path: string): number {
  const out = spawnSync('du', ['-sm', path], { encoding: 'utf8' }).stdout;
  return Number(out.split(/\s/)[0]);
}

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, args, { cwd: folder, encoding: 'utf8', env: { ...process.env, BATCHGATE_CONFIG: '', ...env }, timeout: 20_000 });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('the production install (slow: npm ci --omit=dev)', () => {
  it('installs without dev dependencies and without engine warnings', () => {
    expect(install.status, install.output).toBe(0);
    expect(install.output).not.toMatch(/EBADENGINE/);
    expect(existsSync(join(folder, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(folder, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(folder, 'node_modules', 'better-sqlite3'))).toBe(!builtinSqlite);
    process.stdout.write(`[production figures] node_modules after npm ci ${builtinSqlite ? '--omit=dev --omit=optional' : '--omit=dev'}: ${duMiB(join(folder, 'node_modules'))} MiB\n`);
  });

  it('answers --version and --help, and refuses LOG_LEVEL=bogus with exit 2', () => {
    const version = run(['dist/main.js', '--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^batchgate \d+\.\d+\.\d+/);
    const help = run(['bin/batchgate.js', 'serve', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--config FILE');
    const bogus = run(['dist/main.js'], { LOG_LEVEL: 'bogus', PORT: '0' });
    expect(bogus.status).toBe(2);
    expect(bogus.stderr).toContain('LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "bogus"');
  });

  it.each([
    ['node dist/main.js', ['dist/main.js']],
    ['batchgate serve', ['bin/batchgate.js', 'serve']],
  ])('%s serves the embedded default, the dashboard and the playground, then drains on SIGTERM and exits 0', { timeout: 60_000 }, async (_name, args) => {
    const child = spawn(process.execPath, args, {
      cwd: folder,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BATCHGATE_CONFIG: '', LOG_LEVEL: 'warn', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await waitForUrlLine(child);
      child.stdout?.resume();
      child.stderr?.resume();
      const port = Number(new URL(url).port);
      const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ backends { id healthy } }' }) });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { data: { backends: Array<{ id: string }> } };
      expect(body.data.backends.map((backend) => backend.id)).toContain('demo-slv');
      const dashboard = await fetch(url.replace(/graphql$/, ''));
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain('<script');
      expect((await fetch(url.replace(/graphql$/, 'dashboard/app.js'))).status).toBe(200);
      expect((await fetch(url.replace(/graphql$/, 'playground/app.js'))).status).toBe(200);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await portIsFree(port)).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
