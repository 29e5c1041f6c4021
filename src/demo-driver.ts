import type { Logger } from 'pino';
import type { BackendModule } from './backends/module.js';
import type { BatchService } from './service/batch-service.js';

/**
 * The embedded default's demo: starts, through the gateway, the demo batches of backends whose own
 * demo batches the gateway cannot see (they cannot list), then one more now and then, so people
 * opening the playground or dashboard always see something move.
 */
export function startDemoDriver(
  service: BatchService,
  modules: readonly BackendModule[],
  options: { everyMs?: number; logger?: Logger } = {},
): { dispose(): void } {
  const plans = [...service.backends.values()]
    .map((backend) => ({ backend, inputs: modules.find((module) => module.kind === backend.kind)?.demoStartInputs?.() ?? [] }))
    .filter((plan) => plan.inputs.length > 0);
  let round = 0;
  const startOne = async (backendId: string, input: Parameters<BatchService['startBatch']>[1]) => {
    try {
      await service.startBatch(backendId, input);
    } catch (error) {
      options.logger?.warn({ err: error, backend: backendId }, 'demo batch did not start');
    }
  };
  // One after another per backend, so the backend gives them the same ids in every fresh run.
  for (const plan of plans) {
    void (async () => {
      for (const input of plan.inputs) await startOne(plan.backend.id, input);
    })();
  }
  const timer = setInterval(() => {
    round += 1;
    for (const plan of plans) void startOne(plan.backend.id, plan.inputs[round % plan.inputs.length]!);
  }, options.everyMs ?? 40_000);
  timer.unref();
  return { dispose: () => clearInterval(timer) };
}
