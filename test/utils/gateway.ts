import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { backendModules } from '../../src/backends/index.js';
import { validateConfig, type GatewayConfig } from '../../src/config/load.js';
import { startGateway, type Gateway, type GatewayDependencies } from '../../src/gateway.js';

/** A config for tests: port 0, a fresh temp store, quiet logs; `overrides` merge on top. */
export function testConfig(overrides: Record<string, unknown> = {}): GatewayConfig & { cleanup: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'batchgate-test-'));
  const config = validateConfig(
    { listen: { host: '127.0.0.1', port: 0 }, store: { path: folder }, log: { level: 'silent' }, ...overrides },
    'test',
    { modules: backendModules },
  );
  return Object.assign(config, { cleanup: () => rmSync(folder, { recursive: true, force: true }) });
}

/** Captures log lines in memory (tests search them, e.g. for leaked secrets). */
export function memoryLogger(level = 'debug') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { logger: pino({ level }, destination), lines };
}

export async function startTestGateway(config: GatewayConfig, dependencies: GatewayDependencies = {}): Promise<Gateway> {
  return startGateway(config, { logger: pino({ level: 'silent' }), ...dependencies });
}

/** POSTs a GraphQL operation and returns the parsed body. */
export async function gql<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { data?: T; errors?: Array<{ message: string; extensions?: Record<string, any>; path?: unknown[] }> } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as never };
}
