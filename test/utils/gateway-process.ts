import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A gateway running as its own process (`node --import tsx src/main.ts`), as `npm start` runs it. */
export interface GatewayProcess {
  /** `http://127.0.0.1:port/graphql`, from the start-up line. */
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGTERM, wait for exit, remove the temp folder. */
  close(): Promise<void>;
}

export interface GatewayProcessOptions {
  /** A config object written as the config file (JSON is YAML); none = the embedded default. */
  config?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** @default 30000 */
  startTimeoutMs?: number;
}

/**
 * Resolves with the `http://127.0.0.1:PORT/graphql` of the line a gateway process prints once it
 * accepts connections; rejects when it exits first or prints none within `timeoutMs`, with what it
 * wrote so far. Both pipes stay drained, so a chatty gateway never blocks on a full buffer.
 */
export function waitForUrlLine(child: ChildProcess, options: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the gateway printed no URL line in time:\n${output}`)), options.timeoutMs ?? 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/graphql)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/** Starts a gateway process on a free port and resolves once it prints its URL line. */
export async function startGatewayProcess(options: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const folder = mkdtempSync(join(tmpdir(), 'batchgate-process-'));
  const args = ['--import', 'tsx', 'src/main.ts'];
  const config = { store: { path: join(folder, 'store') }, log: { level: 'warn' }, ...options.config };
  const file = join(folder, 'config.yaml');
  writeFileSync(file, JSON.stringify(config));
  args.push('--config', file);
  const child = spawn(process.execPath, args, {
    cwd: process.cwd(),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    const url = await waitForUrlLine(child, { timeoutMs: options.startTimeoutMs ?? 30_000 });
    // Keep draining the pipes so a chatty gateway never blocks on a full buffer.
    child.stdout?.resume();
    child.stderr?.resume();
    return { url, child, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/batchgate.js` as a child process (stdout is a pipe: not a TTY). */
export function runCliProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}, options: { onStdout?: (text: string, child: ChildProcess) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/batchgate.js', ...args], {
      cwd: process.cwd(),
      // The caller's BATCHGATE_* must not leak into a test that checks the defaults.
      env: { ...withoutBatchgateVariables(process.env), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const withoutBatchgateVariables = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('BATCHGATE_')));
