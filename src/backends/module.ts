import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { BackendContext, BatchBackend } from '../core/backend.js';
import type { BackendKind, StartInput } from '../core/model.js';
import type { EmulatorHttpServer, Fault, RecordedRequest } from './emulator-kit/index.js';
import type { StartFormDescription } from './start-form.js';

/** The fields every backend entry in the config file has, whatever its kind. */
export interface BackendConfigBase {
  /** `[a-z0-9-]+`, unique; appears in `Backend.id`. */
  id: string;
  kind: BackendKind;
}

/** A running emulator of one backend, ready for a gateway to federate. */
export interface EmulatorHandle {
  /** The base URL a connector is configured with (e.g. one that includes a webapp path). */
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

/** What a backend adds to the GraphQL schema. */
interface BackendGraphQL {
  /** The `BackendKind` enum value its SDL adds (e.g. `AWS_ML`). */
  readonly kind: string;
  /** The `StartBatchInput` field its SDL adds, whose value `startInputSchema` validates. */
  readonly inputField: string;
  /** Its SDL: `extend enum BackendKind`, `extend input StartBatchInput` and its own input types. */
  readonly typeDefs: string;
}

/** A start input as the kind's `StartBatchInput` field gives it: without `kind` and the fields left null. */
export const graphqlInputOf = (input: StartInput): Record<string, unknown> =>
  Object.fromEntries(Object.entries(input).filter(([name, value]) => name !== 'kind' && value !== null));

/** An optional field of a start input: absent or null in GraphQL, null in the parsed input. */
export const orNull = <Schema extends z.ZodType>(schema: Schema) => schema.nullish().transform((value) => value ?? null);

/** What a backend folder adds to the schema: its enum value, its input field, and its `schema.graphql` (pass `import.meta.url`). */
export const backendGraphQL = (kind: string, inputField: string, folderModuleUrl: string): BackendGraphQL => ({
  kind,
  inputField,
  typeDefs: readFileSync(new URL('./schema.graphql', folderModuleUrl), 'utf8'),
});

/** What tests need to drive one kind through the gateway and count its upstream calls. */
interface BackendFixtures {
  /** The value of the kind's `StartBatchInput` field for `sampleStartInput`. */
  sampleGraphQLInput(): Record<string, unknown>;
  /** Whether a request the kind's emulator recorded is the backend's "start a batch" call. */
  isStartRequest(request: RecordedRequest): boolean;
  /** An `echo` fault shaped as the backend's error answer, its message carrying the echoed request (secret scrubbing tests). */
  readonly echoError: Fault;
}

/**
 * Everything the gateway knows about one kind of backend. Each `src/backends/<kind>/index.ts`
 * exports one, and `src/backends/index.ts` lists them: adding a backend is a folder and one line.
 */
export interface BackendModule<Config extends BackendConfigBase = BackendConfigBase, Input extends StartInput = StartInput> {
  readonly kind: BackendKind;
  readonly graphql: BackendGraphQL;
  /** Validates this kind's config entry (including `id` and `kind`). */
  readonly configSchema: z.ZodType<Config>;
  /**
   * Validates the value of `graphql.inputField` at the GraphQL edge, into this kind's start input.
   * The request's `idempotencyKey` reaches the connector's `start` as `StartOptions`, not here.
   */
  readonly startInputSchema: z.ZodType<Input>;
  /** Names of config fields that are secrets: redacted from logs, scrubbed from backend text. */
  readonly secretFields: readonly string[];
  /** How the dashboard asks for this kind's start input. */
  readonly startForm: StartFormDescription;
  create(config: Config, context: BackendContext): BatchBackend<Input>;
  startEmulator(options?: EmulatorStartOptions): Promise<EmulatorHandle>;
  /** A start input the emulator accepts and runs to success quickly (tests and demos). */
  sampleStartInput(): Input;
  /**
   * Batches the embedded default starts through the gateway itself, for backends whose demo
   * batches the gateway could not otherwise see (one that cannot list). Varied outcomes welcome.
   */
  demoStartInputs?(): Input[];
  readonly fixtures: BackendFixtures;
}

/**
 * Declares a backend module, keeping its kind as a literal type so the registry's kinds are known
 * to the type system (tests key their per-kind fixtures by them).
 */
export const defineBackend = <Kind extends string, Config extends BackendConfigBase, Input extends StartInput>(
  module: BackendModule<Config, Input> & { readonly kind: Kind },
): BackendModule<Config, Input> & { readonly kind: Kind } => module;
