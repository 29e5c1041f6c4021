/**
 * One backend emulator in its own process, so its CPU is not the gateway's and can be reported on
 * its own. Prints one line of JSON (`{kind, pid, url, connection}`) once it listens, then answers
 * requests from the benchmark over IPC (see `EmulatorCommand`).
 *
 *   node --import tsx bench/emulator-process.ts --kind azureml [--tick-ms 400] [--demo]
 *
 * For `azureml` the benchmark drives the ticks itself (`--tick-ms`), recording when each seeded
 * batch's completed count changed: that time is the "change" of change→client latency.
 */
import { parseArgs } from 'node:util';
import { backendModules } from '../src/backends/index.js';
import type { AzureMlEmulator } from '../src/backends/azureml/emulator/index.js';
import type { FaultRule } from '../src/backends/emulator-kit/index.js';
import { UnreachableCaseError } from '../src/core/unreachable.js';

/** Messages the benchmark sends; each is answered with `{ id, result }` or `{ id, error }`. */
export type EmulatorCommand =
  | { id: number; cmd: 'seed'; count: number; records: number; parallelCount: number; service?: string; finished?: boolean }
  | { id: number; cmd: 'requests'; since: number; pathContains: string }
  | { id: number; cmd: 'changes' }
  | { id: number; cmd: 'usage' }
  | { id: number; cmd: 'faults'; rules: FaultRule[] }
  | { id: number; cmd: 'latency'; ms: number };

/** A batch GET seen by the emulator: which seeded batch (index), and when it arrived (epoch ms). */
export type RequestSample = [batch: number, at: number];

const now = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { kind: { type: 'string', default: 'azureml' }, 'tick-ms': { type: 'string', default: '400' }, demo: { type: 'boolean', default: false } },
  });
  const module = backendModules.find((candidate) => candidate.kind === values.kind);
  if (!module) throw new Error(`--kind: expected one of ${backendModules.map((m) => m.kind).join(', ')}, got ${values.kind}`);
  const tickMs = Number(values['tick-ms']);
  // azureml: the timer is ours (below), so the emulator's own must never fire.
  const handle = await module.startEmulator({ demo: values.demo, tickMs: module.kind === 'azureml' ? 2 ** 30 : tickMs });

  /** Seeded batches: index → native id, and executionId → index for request matching. */
  const seeded: string[] = [];
  const indexOf = new Map<string, number>();
  /** Per seeded batch: [completedCount, epoch ms it was first seen by the emulator]. */
  const changes: Array<Array<[number, number]>> = [];

  let timer: NodeJS.Timeout | null = null;
  if (module.kind === 'azureml') {
    const azure = handle as AzureMlEmulator;
    timer = setInterval(() => {
      azure.advance(1);
      const at = now();
      for (let index = 0; index < seeded.length; index += 1) {
        const [service, version, executionId] = seeded[index]!.split('/');
        const execution = azure.batches.get(azure.services.find((s) => s.name === service && s.version === version)!, executionId!);
        const log = changes[index]!;
        if (execution && log[log.length - 1]?.[0] !== execution.committed) log.push([execution.committed, at]);
      }
    }, tickMs);
  }

  const answer = (command: EmulatorCommand): unknown => {
    switch (command.cmd) {
      case 'seed': {
        if (module.kind !== 'azureml') throw new Error('seed: only the azureml emulator is scripted by the benchmark');
        const azure = handle as AzureMlEmulator;
        const service = azure.services.find((s) => s.name === (command.service ?? 'Double'))!;
        const ids: string[] = [];
        for (let i = 0; i < command.count; i += 1) {
          const records = Array.from({ length: command.records }, (_, r) => ({ x: r }));
          const execution = azure.batches.start(service, records, command.parallelCount);
          // A finished batch answers the same bytes every time: fair for latency comparisons.
          if (command.finished) while (execution.state !== 'Complete' && execution.state !== 'Failed') azure.batches.tick();
          const nativeId = `${service.name}/${service.version}/${execution.id}`;
          indexOf.set(execution.id, seeded.length);
          seeded.push(nativeId);
          changes.push([[execution.committed, now()]]);
          ids.push(nativeId);
        }
        return ids;
      }
      case 'requests': {
        const samples: RequestSample[] = [];
        for (const request of handle.http.requests) {
          if (request.at < command.since || request.method !== 'GET' || !request.path.includes(command.pathContains)) continue;
          const executionId = request.path.slice(request.path.lastIndexOf('/') + 1);
          samples.push([indexOf.get(executionId) ?? -1, request.at]);
        }
        return samples;
      }
      case 'changes':
        return changes;
      case 'usage': {
        const cpu = process.cpuUsage();
        return { cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage().rss };
      }
      case 'faults':
        return handle.http.setFaults(command.rules).then(() => true);
      case 'latency':
        handle.http.setLatency(command.ms);
        return true;
      default:
        throw new UnreachableCaseError(command, 'command');
    }
  };

  process.on('message', (message: EmulatorCommand) => {
    Promise.resolve()
      .then(() => answer(message))
      .then(
        (result) => process.send?.({ id: message.id, result }),
        (error: unknown) => process.send?.({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
      );
  });

  const stop = async () => {
    if (timer) clearInterval(timer);
    await handle.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // The benchmark going away (IPC closed) ends us too: no orphaned emulators.
  process.on('disconnect', () => void stop());

  process.stdout.write(`${JSON.stringify({ kind: module.kind, pid: process.pid, url: handle.url, connection: handle.connection })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
