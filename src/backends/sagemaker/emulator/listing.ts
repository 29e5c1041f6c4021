import { shown, validation } from './fault.js';
import type { StoredJob } from './job.js';

/**
 * ListTransformJobs: the filters (creation and modification time windows, NameContains,
 * StatusEquals), SortBy Name / CreationTime / Status, SortOrder, MaxResults 1..100 (10 by default)
 * and an opaque NextToken naming where the previous page ended, so pages stay stable while jobs
 * are created in between.
 */

const STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];
const SORT_BY = ['Name', 'CreationTime', 'Status'] as const;

type SortKey = [value: string | number, createdAt: number, seq: number];

export interface Summary {
  TransformJobName: string;
  TransformJobArn: string;
  CreationTime: number;
  TransformEndTime?: number;
  LastModifiedTime: number;
  TransformJobStatus: string;
  FailureReason?: string;
}

export function listJobs(all: StoredJob[], input: Record<string, unknown>): { TransformJobSummaries: Summary[]; NextToken?: string } {
  const max = input['MaxResults'] ?? 10;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100) {
    throw validation(`Value '${shown(max)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100`);
  }
  const sortBy = input['SortBy'] ?? 'CreationTime';
  if (!(SORT_BY as readonly unknown[]).includes(sortBy)) throw validation(`Value '${shown(sortBy)}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [${SORT_BY.join(', ')}]`);
  const order = input['SortOrder'] ?? 'Descending';
  if (order !== 'Ascending' && order !== 'Descending') throw validation(`Value '${shown(order)}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]`);
  const status = input['StatusEquals'];
  if (status !== undefined && (typeof status !== 'string' || !STATUSES.includes(status))) {
    throw validation(`Value '${shown(status)}' at 'statusEquals' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`);
  }
  const contains = input['NameContains'];
  if (contains !== undefined && (typeof contains !== 'string' || !/^[a-zA-Z0-9-]{0,63}$/.test(contains))) {
    throw validation(`Value '${shown(contains)}' at 'nameContains' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9\\-]+`);
  }
  const window = (after: string, before: string, read: (job: StoredJob) => number) => {
    const from = time(input[after], after);
    const to = time(input[before], before);
    return (job: StoredJob) => (from === null || read(job) > from) && (to === null || read(job) < to);
  };
  const created = window('CreationTimeAfter', 'CreationTimeBefore', (job) => job.record.CreationTime);
  const modified = window('LastModifiedTimeAfter', 'LastModifiedTimeBefore', (job) => job.lastModified);

  const keyOf = (job: StoredJob): SortKey => [
    sortBy === 'Name' ? job.record.TransformJobName : sortBy === 'Status' ? job.record.TransformJobStatus : job.record.CreationTime,
    job.record.CreationTime,
    job.seq,
  ];
  const direction = order === 'Ascending' ? 1 : -1;
  const after = input['NextToken'] === undefined ? null : decodeToken(input['NextToken'], shown(sortBy));
  const needle = typeof contains === 'string' ? contains.toLowerCase() : null;
  const matching = all
    .filter((job) => status === undefined || job.record.TransformJobStatus === status)
    .filter((job) => needle === null || job.record.TransformJobName.toLowerCase().includes(needle))
    .filter((job) => created(job) && modified(job))
    .map((job) => ({ job, key: keyOf(job) }))
    .filter(({ key }) => !after || compareKeys(key, after) * direction > 0)
    .sort((a, b) => compareKeys(a.key, b.key) * direction);
  const page = matching.slice(0, max);
  const last = page.at(-1);
  return {
    TransformJobSummaries: page.map(({ job }) => summary(job)),
    ...(matching.length > max && last ? { NextToken: encodeToken(shown(sortBy), last.key) } : {}),
  };
}

function summary(job: StoredJob): Summary {
  const r = job.record;
  return {
    TransformJobName: r.TransformJobName,
    TransformJobArn: r.TransformJobArn,
    CreationTime: r.CreationTime,
    ...(r.TransformEndTime !== undefined ? { TransformEndTime: r.TransformEndTime } : {}),
    LastModifiedTime: job.lastModified,
    TransformJobStatus: r.TransformJobStatus,
    ...(r.FailureReason ? { FailureReason: r.FailureReason } : {}),
  };
}

/** Timestamps arrive as epoch seconds from the SDKs. */
function time(value: unknown, member: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw validation(`Value '${shown(value)}' at '${member}' is not a valid timestamp`);
  return value;
}

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function encodeToken(sortBy: string, key: SortKey): string {
  return Buffer.from(JSON.stringify([sortBy, ...key])).toString('base64url');
}

function decodeToken(token: unknown, sortBy: string): SortKey {
  try {
    const value: unknown = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 4 && value[0] === sortBy && typeof value[2] === 'number' && typeof value[3] === 'number') {
      return value.slice(1) as SortKey;
    }
  } catch {
    // answered below, as the service does for a token it did not issue
  }
  throw validation('Invalid pagination token');
}
