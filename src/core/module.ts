import { z } from 'zod';
import type { EmulatorHttpServer } from '../lib/emulator-http.js';
import type { BackendContext, BatchBackend } from './backend.js';
import type { BackendKind, StartInput } from './model.js';

/** The fields every backend entry in the config file has, whatever its kind. */
export interface BackendConfigBase {
  /** `[a-z0-9-]+`, unique; appears in `Backend.id`. */
  id: string;
  kind: BackendKind;
}

/** A running emulator of one backend, ready for a gateway to federate. */
export interface EmulatorHandle {
  /** The base URL a connector is configured with (e.g. SLV's includes `/reports`). */
  readonly url: string;
  /** A config entry (without `id`) pointing a connector at this emulator, credentials included. */
  readonly connection: Record<string, unknown>;
  /** The emulator's HTTP shell: request log and fault injection, for tests and benchmarks. */
  readonly http: EmulatorHttpServer;
  close(): Promise<void>;
}

export interface EmulatorStartOptions {
  /** Seed demo batches that make progress (the embedded default). @default false */
  demo?: boolean;
  /**
   * Accept the backend's fixed, documented demo credentials (README, "Emulators") instead of
   * fresh random ones, so people can point the backend's own clients at it. @default false
   */
  demoCredentials?: boolean;
  /** @default 0 */
  port?: number;
  /**
   * How often scheduled batches advance one step, in ms. Tests use a few tens of ms; the embedded
   * default uses about a second so people can watch. @default 1000
   */
  tickMs?: number;
}

/** Config ids: `[a-z0-9-]+`. */
export const backendIdSchema = z.string().regex(/^[a-z0-9-]+$/, { message: 'expected [a-z0-9-]+' });

/**
 * Everything the gateway needs to know about one kind of backend. Each `src/backends/<kind>/index.ts`
 * exports one, and `src/backends/index.ts` lists them: adding a backend is a folder and one line.
 */
export interface BackendModule<Config extends BackendConfigBase = BackendConfigBase> {
  readonly kind: BackendKind;
  /** The GraphQL enum value (`BackendKind` in the schema). */
  readonly graphqlKind: 'AZURE_ML' | 'AWS_ML' | 'SLV';
  /** Validates this kind's config entry (including `id` and `kind`). */
  readonly configSchema: z.ZodType<Config>;
  /** Names of config fields that are secrets: never logged or returned. */
  readonly secretFields: readonly string[];
  create(config: Config, context: BackendContext): BatchBackend;
  startEmulator(options?: EmulatorStartOptions): Promise<EmulatorHandle>;
  /** A start input the emulator accepts and runs to success quickly (tests and demos). */
  sampleStartInput(): StartInput;
  /**
   * Batches the embedded default starts through the gateway itself, for backends whose demo
   * batches the gateway could not otherwise see (SLV cannot list). Varied outcomes welcome.
   */
  demoStartInputs?(): StartInput[];
}
