import type { BatchState, BatchSummaryFragment } from '../generated/client/dashboard/graphql.js';

type ProgressView = BatchSummaryFragment['progress'];

/** Pure text formatting shared by the table and the detail panel (and unit-tested in Node). */

const STATE_WORDS: Record<BatchState, string> = {
  QUEUED: 'Queued',
  RUNNING: 'Running',
  CANCELLING: 'Cancelling',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

export const stateLabel = (state: BatchState): string => STATE_WORDS[state] ?? state;

/** A percent for display and for `aria-valuenow`: clamped to 0..100, one decimal; null stays null. */
export function roundPercent(percent: number | null | undefined): number | null {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return null;
  return Math.round(Math.min(100, Math.max(0, percent)) * 10) / 10;
}

/** "42.5% · 85 of 200 items · 3 failed", or what is known of it. */
export function progressText(progress: ProgressView): string {
  const parts: string[] = [];
  const percent = roundPercent(progress.percent);
  parts.push(percent === null ? 'progress unknown' : `${percent}%`);
  if (progress.totalItems !== null && progress.completedItems !== null) parts.push(`${progress.completedItems} of ${progress.totalItems} items`);
  else if (progress.completedItems !== null) parts.push(`${progress.completedItems} items`);
  if (progress.failedItems) parts.push(`${progress.failedItems} failed`);
  return parts.join(' · ');
}

/**
 * A short local time: the time alone for today, month and day added for other days, the year only
 * when it is not this one. The full ISO value stays in the `<time datetime>` attribute.
 */
export function formatTime(iso: string | null, now: Date = new Date(), locale?: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
  if (date.toDateString() === now.toDateString()) return date.toLocaleTimeString(locale, time);
  const day: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', ...(date.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }) };
  return `${date.toLocaleDateString(locale, day)} ${date.toLocaleTimeString(locale, time)}`;
}

/** "45 s", "3 min 05 s", "2 h 04 min", "3 d 2 h": two units at most, enough to compare runs. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const pad = (value: number) => String(value).padStart(2, '0');
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${pad(seconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${pad(minutes % 60)} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Splits a list typed by a person: commas, semicolons or line breaks; blanks dropped. */
export const splitList = (text: string): string[] =>
  text
    .split(/[\n,;]+/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
