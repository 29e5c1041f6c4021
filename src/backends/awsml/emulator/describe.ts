import { invalid, requireString } from './input.js';
import { UnreachableCaseError } from '../../../core/unreachable.js';

/**
 * The `Describe*` operations of every Amazon ML entity: one filter variable with one operator,
 * `SortOrder`, `Limit` 1..100 and `NextToken`. As the API reference says, results are sorted by the
 * filter variable, so `FilterVariable: Status` answers grouped by status, not by creation time
 * (docs/backends/awsml.md §5). Ties, and describes without a filter variable, are ordered as the
 * reference does not say: by creation time when nothing is filtered, else by id (inferred; either
 * way a client wanting creation order must filter by `CreatedAt`).
 */

type Value = string | number | null;
type SortKey = [value: Value, id: string];

export interface DescribeSpec<T> {
  /** Filter variables this entity accepts → the record field each reads. */
  fields: Readonly<Record<string, (item: T) => string | number | undefined>>;
  id: (item: T) => string;
  createdAt: (item: T) => number;
}

const OPERATORS = ['EQ', 'GT', 'LT', 'GE', 'LE', 'NE', 'Prefix'] as const;

/** One page of `items` as the service answers `input`. */
export function describePage<T>(items: Iterable<T>, input: Record<string, unknown>, spec: DescribeSpec<T>): { page: T[]; nextToken: string | undefined } {
  const limit = input['Limit'] === undefined ? 100 : input['Limit'];
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('Limit must be an integer from 1 to 100');
  const sortOrder = input['SortOrder'] ?? 'asc';
  if (sortOrder !== 'asc' && sortOrder !== 'dsc') throw invalid('SortOrder must be asc or dsc');
  const variable = input['FilterVariable'];
  if (variable !== undefined && (typeof variable !== 'string' || !(variable in spec.fields))) throw invalid(`Unknown FilterVariable ${JSON.stringify(variable)}`);
  const field = typeof variable === 'string' ? spec.fields[variable] : undefined;
  const conditions = OPERATORS.filter((op) => input[op] !== undefined).map((op) => [op, requireString(input[op], op)] as const);
  if (conditions.length > 0 && !field) throw invalid('A filter operator needs a FilterVariable');

  const keyOf = (item: T): SortKey => [field ? (field(item) ?? null) : spec.createdAt(item), spec.id(item)];
  const direction = sortOrder === 'asc' ? 1 : -1;
  const after = input['NextToken'] === undefined ? null : decodeToken(input['NextToken']);
  const matching = [...items]
    .filter((item) => conditions.every(([op, value]) => matches(field ? field(item) : undefined, op, value)))
    .map((item) => ({ item, key: keyOf(item) }))
    .filter(({ key }) => !after || compareKeys(key, after) * direction > 0)
    .sort((a, b) => compareKeys(a.key, b.key) * direction);
  const page = matching.slice(0, limit);
  const last = page.at(-1);
  return { page: page.map(({ item }) => item), nextToken: matching.length > limit && last ? encodeToken(last.key) : undefined };
}

function matches(actual: string | number | undefined, op: (typeof OPERATORS)[number], wanted: string): boolean {
  if (actual === undefined) return op === 'NE';
  // Dates filter by epoch seconds or by an ISO date; other fields compare as strings.
  const target = typeof actual === 'number' ? (/^\d+(\.\d+)?$/.test(wanted) ? Number(wanted) : Date.parse(wanted) / 1000) : wanted;
  switch (op) {
    case 'EQ':
      return actual === target;
    case 'NE':
      return actual !== target;
    case 'GT':
      return actual > target;
    case 'GE':
      return actual >= target;
    case 'LT':
      return actual < target;
    case 'LE':
      return actual <= target;
    case 'Prefix':
      return String(actual).startsWith(wanted);
    default:
      throw new UnreachableCaseError(op, 'operator');
  }
}

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function encodeToken(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeToken(token: unknown): SortKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 2 && typeof key[1] === 'string') return key as SortKey;
  } catch {
    // fall through to the service's answer for a token it did not issue
  }
  throw invalid('Invalid NextToken');
}
