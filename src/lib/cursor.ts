import { z } from 'zod';
import { ErrorCode, GatewayError } from '../core/errors.js';

/**
 * The one codec for opaque paging cursors: base64url of a JSON value. Each issuer declares the shape
 * it wrote, so a cursor from elsewhere (another listing, another backend, a hand-made string) is told
 * apart from its own; the issuer answers that with its own input error.
 */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The value inside `cursor` when it has `shape`, else null (not base64url JSON, or another shape). */
export function decodeCursor<Shape extends z.ZodType>(cursor: string, shape: Shape): z.output<Shape> | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = shape.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * Where a listing stopped inside an upstream that pages by token (Amazon ML, SageMaker): `t` is the
 * upstream token of the page being read (null = first page), `o` how many of its entries were already
 * consumed, `l` the upstream page size (the offset only means something with the same size).
 */
const upstreamPageCursor = z.object({
  t: z.string().nullable(),
  o: z.number().int().min(0),
  l: z.number().int().min(1).max(100),
});
type UpstreamPageCursor = z.output<typeof upstreamPageCursor>;

export const encodeUpstreamPageCursor = (cursor: UpstreamPageCursor): string => encodeCursor(cursor);

/** Reads a cursor a token-paged backend issued; anything else is the client's input error. */
export function decodeUpstreamPageCursor(cursor: string, backend: string): UpstreamPageCursor {
  const decoded = decodeCursor(cursor, upstreamPageCursor);
  if (!decoded) throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'The cursor is not one this backend issued', { backend });
  return decoded;
}
