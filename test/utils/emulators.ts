import { backendModules, type RegisteredKind } from '../../src/backends/index.js';
import type { GatewayConfig } from '../../src/config/load.js';
import type { BackendModule, EmulatorHandle } from '../../src/backends/module.js';
import { postGraphQL } from './graphql.js';

/**
 * The real thing for reliability and security tests: an emulator of every registered kind on
 * loopback, for gateways federating them through their real connectors. Backend ids are the kinds.
 */

type BackendKind = RegisteredKind;
export const KINDS: readonly BackendKind[] = backendModules.map((module) => module.kind);
export const moduleOf = (kind: BackendKind): BackendModule => backendModules.find((candidate) => candidate.kind === kind)!;

export interface EmulatorSet {
  readonly byKind: Record<BackendKind, EmulatorHandle>;
  readonly modules: Record<BackendKind, BackendModule>;
  /** Config entries pointing at the emulators, credentials included. */
  readonly entries: GatewayConfig['backends'];
  close(): Promise<void>;
}

/** Starts one emulator of every kind (no demo batches). `tickMs` sets how fast started batches move. */
export async function startEmulatorSet(options: { tickMs?: number } = {}): Promise<EmulatorSet> {
  const byKind = {} as Record<BackendKind, EmulatorHandle>;
  const modules = {} as Record<BackendKind, BackendModule>;
  const entries: GatewayConfig['backends'] = [];
  try {
    for (const kind of KINDS) {
      const module = moduleOf(kind);
      byKind[kind] = await module.startEmulator({ tickMs: options.tickMs ?? 100 });
      modules[kind] = module;
      entries.push({ id: kind, kind, ...byKind[kind].connection });
    }
  } catch (error) {
    await Promise.all(Object.values(byKind).map((emulator) => emulator.close()));
    throw error;
  }
  return {
    byKind,
    modules,
    entries,
    async close() {
      await Promise.all(Object.values(byKind).map((emulator) => emulator.close()));
    },
  };
}

export const START_BATCH = /* GraphQL */ `
  mutation Start($input: StartBatchInput!) {
    startBatch(input: $input) { batch { id nativeId state } }
  }
`;

/** The module's sample start input, shaped as `StartBatchInput` wants it. */
export function graphqlStartInput(module: BackendModule): Record<string, unknown> {
  return { [module.graphql.inputField]: module.fixtures.sampleGraphQLInput() };
}

/** Starts the module's sample batch on a backend through the gateway, answering its global id. */
export async function startSample(url: string, kind: BackendKind, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await postGraphQL(url, START_BATCH, { input: { backend: kind, ...graphqlStartInput(moduleOf(kind)), ...extra } }, headers);
  if (!response.body.data?.startBatch) throw new Error(`startBatch on ${kind} failed: ${JSON.stringify(response.body.errors)}`);
  return response.body.data.startBatch.batch as { id: string; nativeId: string; state: string };
}
