/** Pure text rendering of the CLI (unit-tested without a terminal). */

import type { CliBatchFragment, CliWatchSubscription } from '../generated/client/cli/graphql.js';

/** A batch as `list` selects it; `watch` also has its steps and error. */
export type CliBatch = CliBatchFragment & Partial<Pick<CliWatchSubscription['batchProgress']['batch'], 'steps' | 'error'>>;

/** `42.5%`, or `?` while the backend does not know. Never says 100% before the end. */
export function percentText(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return '?';
  const clamped = Math.min(100, Math.max(0, percent));
  const rounded = Math.round(clamped * 10) / 10;
  return `${rounded >= 100 && clamped < 100 ? 99.9 : rounded}%`;
}

/** `[#########-----------]`; an unknown percent shows a moving block at `frame`. */
export function progressBar(percent: number | null, width = 24, frame = 0): string {
  if (percent === null || !Number.isFinite(percent)) {
    const block = Math.max(3, Math.floor(width / 5));
    const start = frame % (width - block + 1);
    return `[${'-'.repeat(start)}${'='.repeat(block)}${'-'.repeat(width - block - start)}]`;
  }
  // Rounded, but a full bar only at 100 % and an empty one only at 0 %.
  const clamped = Math.min(100, Math.max(0, percent));
  const filled = clamped >= 100 ? width : Math.min(width - 1, Math.max(clamped > 0 ? 1 : 0, Math.round((clamped / 100) * width)));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** The header row `list` prints on a terminal. */
export const LIST_HEADER = ['BACKEND', 'STATE', 'PERCENT', 'NAME', 'ID'];

/** Pads each column to its widest cell; the last column is left ragged. */
export function columns(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join('  ').trimEnd());
}

/**
 * The cells of one `batchgate list` line: readable columns first, the id (for `watch`) last, so
 * `awk '{print $NF}'` finds it even when a name has spaces.
 */
export function listCells(batch: CliBatch): string[] {
  return [batch.backend.id, batch.state, percentText(batch.progress.percent), batch.name ?? batch.nativeId, batch.id];
}

/** The step a running batch is at: the last one reported, by label when it has one. */
export function currentStep(batch: CliBatch): string | null {
  const step = batch.steps?.at(-1);
  return step ? (step.label ?? step.name) : null;
}

/** The newest thing worth saying: the progress message, else the last message of the last step. */
export function currentMessage(batch: CliBatch): string | null {
  if (batch.progress.message) return batch.progress.message;
  const messages = batch.steps?.at(-1)?.messages ?? [];
  const last = messages.at(-1);
  return last ? last.text : null;
}

/** One `watch` status: `RUNNING  42.5%  step: Import devices — 12 of 40 rows`. */
export function statusText(batch: CliBatch): string {
  const parts = [batch.state.padEnd(10), percentText(batch.progress.percent).padStart(6)];
  const items = batch.progress.totalItems !== null && batch.progress.completedItems !== null ? `${batch.progress.completedItems}/${batch.progress.totalItems} items` : null;
  if (items) parts.push(items);
  const step = currentStep(batch);
  if (step) parts.push(`step: ${step}`);
  const message = currentMessage(batch);
  return message ? `${parts.join('  ')} — ${message}` : parts.join('  ');
}

/** Shortens a line to the terminal's width so `\r` redraws stay on one row. */
export function fit(line: string, width: number | undefined): string {
  if (!width || line.length < width) return line;
  return `${line.slice(0, Math.max(0, width - 2))}…`;
}

/** Counts of warning and error messages over all steps, for the final summary. */
export function messageCounts(batch: CliBatch): { warnings: number; errors: number } {
  const all = (batch.steps ?? []).flatMap((step) => step.messages);
  return { warnings: all.filter((message) => message.severity === 'WARNING').length, errors: all.filter((message) => message.severity === 'ERROR').length };
}
