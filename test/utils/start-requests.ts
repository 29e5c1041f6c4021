import { backendModules, type RegisteredKind } from '../../src/backends/index.js';
import type { RecordedRequest } from '../../src/backends/emulator-kit/index.js';

/** Whether an emulator request is the backend's "start a batch" call, per kind (for exact start counts). */
export const isStartRequest = Object.fromEntries(backendModules.map((module) => [module.kind, module.fixtures.isStartRequest])) as Record<
  RegisteredKind,
  (request: RecordedRequest) => boolean
>;
