import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Kind, OperationTypeNode, parse, type OperationDefinitionNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { backendModules } from '../src/backends/index.js';
import { startGatewayProcess, type GatewayProcess } from './utils/gateway-process.js';

/**
 * Every GraphQL and shell example of README.md and docs/*.md runs as written against a fresh
 * embedded default (`npm start`, here on a free port). Only blocks marked `no-run` in their info
 * string are skipped, and those may only hold the npm commands that install or start the gateway.
 */

interface Block {
  file: string;
  line: number;
  language: string;
  noRun: boolean;
  text: string;
}

const FILES = ['README.md', ...readdirSync('docs').filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const SHELLS = new Set(['sh', 'bash', 'shell', 'console']);

function fencedBlocks(file: string): Block[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let at = 0; at < lines.length; at += 1) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[at]!);
    if (!open) continue;
    const end = lines.findIndex((line, index) => index > at && line.startsWith('```'));
    blocks.push({ file, line: at + 1, language: open[1]!, noRun: /\bno-run\b/.test(open[2]!), text: lines.slice(at + 1, end).join('\n') });
    at = end;
  }
  return blocks;
}

const all = FILES.flatMap(fencedBlocks);
const runnable = all.filter((block) => !block.noRun && (block.language === 'graphql' || SHELLS.has(block.language)));

let gateway: GatewayProcess;
let origin: string;
beforeAll(async () => {
  gateway = await startGatewayProcess({ config: { log: { level: 'warn' } } });
  origin = gateway.url.replace(/\/graphql$/, '');
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  if (emulators && emulators.exitCode === null) {
    const exited = new Promise((resolve) => emulators!.once('exit', resolve));
    emulators.kill('SIGTERM');
    await exited;
  }
});

/**
 * Examples for `npm run emulators -- --base-port 9100` use ports 9100, 9101, …: here the emulators
 * run on free ports, started at the first example that needs them, and each documented origin is
 * replaced by the one that answers.
 */
const EMULATOR_ORIGIN = /http:\/\/127\.0\.0\.1:91(\d\d)/g;
let emulators: ChildProcess | undefined;
let emulatorOrigins: string[] | undefined;
async function withEmulators(script: string): Promise<string> {
  if (!script.match(EMULATOR_ORIGIN)) return script;
  if (!emulatorOrigins) {
    emulators = spawn(process.execPath, ['--import', 'tsx', 'scripts/emulators.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const origins: string[] = [];
    for await (const line of createInterface({ input: emulators.stdout! })) {
      origins.push(new URL((JSON.parse(line) as { url: string }).url).origin);
      if (origins.length === backendModules.length) break;
    }
    emulatorOrigins = origins;
  }
  const found = emulatorOrigins;
  return script.replace(EMULATOR_ORIGIN, (documented, index: string) => found[Number(index)] ?? documented);
}

/** `# variables: {...}` in a GraphQL block gives its variables (GraphQL reads it as a comment). */
const variablesOf = (text: string): Record<string, unknown> => {
  const match = /^#\s*variables:\s*(\{.*\})\s*$/m.exec(text);
  return match ? (JSON.parse(match[1]!) as Record<string, unknown>) : {};
};

async function runGraphQL(text: string): Promise<{ data?: unknown; errors?: unknown }> {
  const operation = parse(text).definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const variables = variablesOf(text);
  if (operation?.operation !== OperationTypeNode.SUBSCRIPTION) {
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: text, variables }) });
    return (await response.json()) as { data?: unknown; errors?: unknown };
  }
  // A subscription runs when its first event arrives.
  const client = createClient({ url: gateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no event within 20 s')), 20_000);
      client.subscribe(
        { query: text, variables },
        {
          next: (result) => {
            clearTimeout(timer);
            resolve(result);
          },
          error: (error) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
          },
          complete: () => undefined,
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

/** The commands of a block: `$ ` lines of a console transcript, or the whole script. */
const commandsOf = (block: Block): string[] =>
  block.language === 'console' ? block.text.split('\n').filter((line) => line.startsWith('$ ')).map((line) => line.slice(2)) : [block.text];

async function runShell(script: string): Promise<{ stdout: string; stderr: string }> {
  const text = (await withEmulators(script)).replaceAll('http://127.0.0.1:4000', origin);
  return promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', text], {
    cwd: process.cwd(),
    timeout: 90_000,
    // The CLI's default URL is the README's 127.0.0.1:4000; here the gateway is elsewhere. Offline:
    // an example that needs the registry (an `npx` of a package not in the project) fails.
    env: { ...process.env, BATCHGATE_URL: gateway.url, npm_config_offline: 'true', npm_config_update_notifier: 'false' },
  });
}

describe('the documentation', () => {
  it('has GraphQL and shell examples in README.md and docs/usage.md, and few blocks marked no-run, each only npm commands', () => {
    expect(runnable.filter((block) => block.file === 'README.md').length).toBeGreaterThanOrEqual(5);
    expect(runnable.filter((block) => block.file === 'docs/usage.md').length).toBeGreaterThanOrEqual(12);
    const skipped = all.filter((block) => block.noRun);
    expect(skipped.length).toBeLessThanOrEqual(4);
    for (const block of skipped) {
      for (const line of block.text.split('\n').filter((text) => text.trim() !== '')) expect(line, `${block.file}:${block.line}`).toMatch(/^npm (install|start|test|pack)\b/);
    }
  });

  for (const block of runnable) {
    it(`${block.file}:${block.line} (${block.language}) runs as written against the embedded default`, async () => {
      if (block.language === 'graphql') {
        const result = await runGraphQL(block.text);
        expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
        expect(result.data).toBeTruthy();
        return;
      }
      for (const command of commandsOf(block)) {
        const { stdout } = await runShell(command);
        expect(stdout.trim(), command).not.toBe('');
        // A GraphQL answer printed by curl must not carry errors either.
        if (stdout.trimStart().startsWith('{')) expect((JSON.parse(stdout) as { errors?: unknown }).errors, command).toBeUndefined();
      }
    }, 120_000);
  }
});
