import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { expect, vi } from 'vitest';

/** A real `redis-server` on loopback, for one test file. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** A fresh key prefix, so tests sharing the server never see each other's keys. */
  prefix(): string;
  /** A new client connection; closed by `stop` if still open. */
  client(): Redis;
  stop(): Promise<void>;
}

let prefixes = 0;

/**
 * Starts `redis-server` on a free loopback port with persistence off, and resolves once it answers
 * PING. CI installs redis-server, so a missing binary fails the test instead of skipping it.
 */
export async function startRedis(options: { port?: number; appendonly?: boolean; dir?: string } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const persistence = options.appendonly ? ['--appendonly', 'yes', '--dir', options.dir ?? tmpdir()] : ['--appendonly', 'no'];
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} before answering`)));
  });
  failed.catch(() => undefined);
  const url = `redis://127.0.0.1:${port}`;
  const clients = new Set<Redis>();
  try {
    await Promise.race([waitForPing(url), failed]);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return {
    url,
    port,
    prefix: () => `test${process.pid}-${++prefixes}:`,
    client() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      clients.add(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitForPing(url: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        expect(await probe.ping()).toBe('PONG');
      } finally {
        probe.disconnect();
      }
    },
    { timeout: 10_000, interval: 50 },
  );
}

/** A port nobody listens on right now (the OS picks it; freed just before redis-server binds it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
