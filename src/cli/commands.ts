import { isTerminal } from '../core/model.js';
import type { QueryResult } from '../client/index.js';
import { CliListDocument, CliWatchDocument, type CliListQuery } from '../generated/client/cli/graphql.js';
import { cliQuery, describeError, subscriptionClient, type CliTarget } from './client.js';
import { columns, fit, LIST_HEADER, listCells, messageCounts, percentText, progressBar, statusText, type CliBatch } from './render.js';

/** Exit codes: documented in `batchgate help` and docs/usage.md. */
export const ExitCode = {
  OK: 0,
  /** `watch`: the batch FAILED. */
  FAILED: 1,
  USAGE: 2,
  /** `watch`: the batch was CANCELLED. */
  CANCELLED: 3,
  /** The gateway could not be reached, refused the token, or does not know the batch. */
  ERROR: 4,
  /** Interrupted (Ctrl-C): 128 + SIGINT, as shells report it. */
  INTERRUPTED: 130,
} as const;

/** Where output goes; tests and the real process pass their own. */
export interface CliOutput {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
}

/** At 20 a page, this caps `list` at 2000 batches. */
const MAX_PAGES = 100;

/** `batchgate list`: one line per batch of every backend. */
export async function listCommand(target: CliTarget, out: CliOutput, options: { json?: boolean } = {}): Promise<number> {
  const batches: CliBatch[] = [];
  const problems = new Set<string>();
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result: QueryResult<CliListQuery> = await cliQuery(target, CliListDocument, { after });
    batches.push(...result.data.batches.edges.map((edge) => edge.node));
    for (const error of result.errors) problems.add(`${error.backend ?? 'gateway'}: ${error.code} ${error.message}`);
    if (!result.data.batches.pageInfo.hasNextPage || !result.data.batches.pageInfo.endCursor) break;
    after = result.data.batches.pageInfo.endCursor;
  }
  if (options.json) out.stdout.write(`${JSON.stringify(batches, null, 2)}\n`);
  else if (batches.length > 0) {
    // A header for people; scripts reading a pipe get only the batch lines.
    const rows = batches.map(listCells);
    out.stdout.write(`${columns(out.stdout.isTTY ? [LIST_HEADER, ...rows] : rows).join('\n')}\n`);
  }
  // Missing backends are said on stderr, so stdout stays one line per batch for scripts.
  for (const problem of problems) out.stderr.write(`warning: ${problem}\n`);
  return ExitCode.OK;
}

/**
 * `batchgate watch ID`: follows one batch until it ends. On a terminal it redraws one line (bar,
 * state, step, message); otherwise it prints a plain line whenever what it would show changes.
 */
export function watchCommand(target: CliTarget, id: string, out: CliOutput, signal?: AbortSignal): Promise<number> {
  const tty = Boolean(out.stdout.isTTY);
  const client = subscriptionClient(target);
  let latest: CliBatch | null = null;
  let lastPrinted = '';
  let frame = 0;
  let headerShown = false;

  const draw = () => {
    if (!latest) return;
    const line = `${progressBar(latest.progress.percent, 24, frame)} ${statusText(latest)}`;
    out.stdout.write(`\r\x1b[2K${fit(line, out.stdout.columns)}`);
  };
  // Only an unknown percent animates; a known one is redrawn when events come.
  const spinner = tty ? setInterval(() => {
    if (latest && latest.progress.percent === null) {
      frame += 1;
      draw();
    }
  }, 250) : null;

  return new Promise<number>((resolve) => {
    let settled = false;
    const finish = (code: number, message?: string) => {
      if (settled) return;
      settled = true;
      if (spinner) clearInterval(spinner);
      if (tty && latest) out.stdout.write('\n');
      if (message) (code === ExitCode.ERROR || code === ExitCode.INTERRUPTED ? out.stderr : out.stdout).write(`${message}\n`);
      stop();
      void client.dispose();
      resolve(code);
    };
    signal?.addEventListener('abort', () => finish(ExitCode.INTERRUPTED, 'interrupted'), { once: true });

    const stop = client.subscribe(CliWatchDocument, { id }, {
      next: (data) => {
        const event = data.batchProgress;
        latest = event.batch;
        if (!headerShown) {
          headerShown = true;
          out.stdout.write(`Watching ${latest.name ?? latest.nativeId} on ${latest.backend.id} (${latest.nativeId})\n`);
        }
        if (event.error) out.stderr.write(`${tty ? '\r\x1b[2K' : ''}warning: ${event.error.code} ${event.error.message} — showing the last known state\n`);
        if (tty) draw();
        else {
          const line = statusText(latest);
          if (line !== lastPrinted) out.stdout.write(`${line}\n`);
          lastPrinted = line;
        }
        if (event.terminal || isTerminal(latest.state)) finish(exitFor(latest.state), finalLine(latest));
      },
      error: (error) => finish(ExitCode.ERROR, `error: ${describeError(error)}`),
      complete: () => {
        if (latest && isTerminal(latest.state)) finish(exitFor(latest.state), finalLine(latest));
        else finish(ExitCode.ERROR, 'error: the gateway ended the subscription before the batch finished');
      },
    });
  });
}

function exitFor(state: string): number {
  if (state === 'SUCCEEDED') return ExitCode.OK;
  if (state === 'CANCELLED') return ExitCode.CANCELLED;
  return ExitCode.FAILED;
}

function finalLine(batch: CliBatch): string {
  const { warnings, errors } = messageCounts(batch);
  const notes = [`${batch.state} ${percentText(batch.progress.percent)}`];
  if (warnings > 0) notes.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (errors > 0) notes.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (batch.error) notes.push(`${batch.error.code ? `[${batch.error.code}] ` : ''}${batch.error.message}`);
  return notes.join(' — ');
}
