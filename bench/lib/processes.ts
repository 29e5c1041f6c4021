import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EmulatorCommand } from '../emulator-process.js';

/** The project root (bench/lib/ is two levels down). */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const CLOCK_TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU in 1/100 s.

/** CPU time (ms) and resident memory of any process, read from /proc (Linux). */
export function processUsage(pid: number): { cpuMs: number; rssBytes: number; peakRssBytes: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: utime is field 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuMs, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  } catch {
    return { cpuMs: 0, rssBytes: 0, peakRssBytes: 0 };
  }
}

/** Waits for the first stdout line matching `pattern`, failing with the child's stderr if it exits first. */
function firstLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    lines.on('line', (line) => {
      if (!pattern.test(line)) return;
      clearTimeout(timer);
      resolvePromise(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before starting: ${stderr}`));
    });
  });
}

/** Ends a child we started and waits for it (SIGTERM, then SIGKILL after a grace period). */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface EmulatorProcess {
  readonly pid: number;
  readonly url: string;
  readonly connection: Record<string, unknown>;
  /** Sends one command over IPC and resolves with its answer. */
  call<T>(command: DistributiveOmit<EmulatorCommand, 'id'>): Promise<T>;
  stop(): Promise<void>;
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Starts `bench/emulator-process.ts` for one backend kind. */
export async function startEmulatorProcess(kind: string, tickMs: number): Promise<EmulatorProcess> {
  const child = fork(join(ROOT, 'bench/emulator-process.ts'), ['--kind', kind, '--tick-ms', String(tickMs)], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const info = JSON.parse(await firstLine(child, /^\{/, `the ${kind} emulator`)) as { url: string; connection: Record<string, unknown> };
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.result);
  });
  return {
    pid: child.pid!,
    url: info.url,
    connection: info.connection,
    call<T>(command: DistributiveOmit<EmulatorCommand, 'id'>) {
      const id = (next += 1);
      return new Promise<T>((resolvePromise, reject) => {
        pending.set(id, { resolve: resolvePromise as (value: unknown) => void, reject });
        child.send({ ...command, id });
      });
    },
    stop: () => stopChild(child),
  };
}

export interface GatewayProcessOptions {
  /** The gateway config (YAML written as JSON, which YAML reads). `listen`/`store` are filled in. */
  config: Record<string, unknown>;
  /** Write a V8 CPU profile (`--cpu-prof`) into this folder on exit. */
  cpuProfileDir?: string;
  label?: string;
}

export interface GatewayProcess {
  readonly pid: number;
  /** `http://127.0.0.1:<port>/graphql` */
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts the gateway as it ships (`src/main.ts --config <tmp yaml>`, PORT=0) in its own process. */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'batchgate-bench-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, JSON.stringify({ log: { level: 'warn' }, ...options.config, store: { path: join(dir, 'store') } }, null, 2));
  const execArgv = [...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []), '--import', 'tsx'];
  const child = spawn(process.execPath, [...execArgv, join(ROOT, 'src/main.ts'), '--config', file], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const line = await firstLine(child, /http:\/\/[^ ]+\/graphql/, options.label ?? 'the gateway');
    const url = /http:\/\/[^ ]+\/graphql/.exec(line)![0];
    return {
      pid: child.pid!,
      url,
      async stop() {
        await stopChild(child, 20_000);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
