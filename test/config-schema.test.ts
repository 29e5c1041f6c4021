import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

it('docs/config.schema.json is what scripts/config-schema.mjs makes of the zod schemas today', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'batchgate-schema-'));
  folders.push(folder);
  const out = join(folder, 'config.schema.json');
  await promisify(execFile)(process.execPath, ['scripts/config-schema.mjs', out], { timeout: 60_000 });
  const fresh = JSON.parse(readFileSync(out, 'utf8')) as unknown;
  const committed = JSON.parse(readFileSync('docs/config.schema.json', 'utf8')) as unknown;
  // A difference means a config option changed without the editor schema: run the script and commit.
  expect(committed).toEqual(fresh);
});

it('docs/config.md is what scripts/config-docs.mjs makes of docs/config.schema.json today', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'batchgate-config-docs-'));
  folders.push(folder);
  const out = join(folder, 'config.md');
  await promisify(execFile)(process.execPath, ['scripts/config-docs.mjs', out], { timeout: 60_000 });
  // A difference means a config field changed without its reference: run the script and commit.
  expect(readFileSync('docs/config.md', 'utf8')).toBe(readFileSync(out, 'utf8'));
  // Every field of every section is in the reference (an object field through its own fields).
  const schema = JSON.parse(readFileSync('docs/config.schema.json', 'utf8')) as { properties: Record<string, { properties?: Record<string, unknown> }> };
  for (const [section, node] of Object.entries(schema.properties)) {
    for (const field of Object.keys(node.properties ?? {})) expect(readFileSync(out, 'utf8')).toMatch(new RegExp(`\`${section}\\.${field}[.\`]`));
  }
});
