import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorHandle } from '../../module.js';
import { startEmulatorHttp } from '../server.js';
import type { AwsJsonEmulatorControls, createAwsJsonService } from './json-protocol.js';

export interface AwsJsonEmulatorShellOptions {
  service: ReturnType<typeof createAwsJsonService>;
  region: string;
  /** @default 0 */
  port?: number;
  tickMs: number;
  /** Advances every live batch one step: on each tick, and when a test asks. */
  tick: () => void;
  /** Runs after each tick (the demo spawner). */
  afterTick?: () => void;
  /** Serves routes besides the protocol's `POST /`. @default the service's own handler */
  handle?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void>;
}

/**
 * The part every AWS JSON 1.1 emulator shares once its service is made: the HTTP shell, the tick
 * timer, the connection a connector is configured with, and the protocol's test controls.
 */
export async function startAwsJsonEmulatorShell(options: AwsJsonEmulatorShellOptions): Promise<EmulatorHandle & AwsJsonEmulatorControls> {
  const { service, region, tick } = options;
  const http = await startEmulatorHttp(options.handle ?? service.handle, { port: options.port ?? 0, refuseCredentials: service.refuseCredentials });
  const timer = setInterval(() => {
    tick();
    options.afterTick?.();
  }, options.tickMs);
  timer.unref();
  const { accessKeyId, secretAccessKey } = service;
  return {
    url: http.origin,
    connection: { region, endpoint: http.origin, accessKeyId, secretAccessKey },
    http,
    region,
    accessKeyId,
    calls: service.calls,
    get rejections() {
      return service.rejections;
    },
    tick,
    async close() {
      clearInterval(timer);
      await http.close();
    },
  };
}
