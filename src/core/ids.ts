import { ErrorCode, GatewayError } from './errors.js';

/**
 * Global ids are opaque to clients but stable: base64url of `Batch:<backendId>:<nativeId>`.
 * The backend id cannot contain ':' (config restricts it to [a-z0-9-]+), so the split is unambiguous
 * even when a native id does (ML Server's `service/version/id` may).
 */
export function encodeBatchId(backendId: string, nativeId: string): string {
  return Buffer.from(`Batch:${backendId}:${nativeId}`, 'utf8').toString('base64url');
}

/** Which batch: the config id of its backend and the backend's own id for it. */
export interface BatchRef {
  backendId: string;
  nativeId: string;
}

/** The in-process key of a batch (maps, caches, loaders): NUL never occurs in a backend id. */
export const batchKey = (ref: BatchRef): string => `${ref.backendId}\u0000${ref.nativeId}`;

export function decodeBatchId(id: string): BatchRef {
  const decoded = tryDecodeBatchId(id);
  if (!decoded) throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Not a batch id: "${truncate(id)}"`);
  return decoded;
}

export function tryDecodeBatchId(id: string): BatchRef | null {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const match = /^Batch:([a-z0-9-]+):(.+)$/s.exec(text);
  if (!match) return null;
  return { backendId: match[1]!, nativeId: match[2]! };
}

const truncate = (value: string): string => (value.length > 80 ? `${value.slice(0, 77)}...` : value);
