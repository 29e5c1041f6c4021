import { createHash } from 'node:crypto';
import { sourceDigest } from '../core/source-digest.js';
import type { Batch } from '../core/model.js';

const prints = new WeakMap<Batch, string>();

/**
 * What a client could see of a batch, as a short digest: computed once per batch object (the same
 * object passes through poller, announcer and relays), and small enough to remember for many batches.
 * Executions mapped from one upstream body (see `deriveSource`) count by that body's digest: for a
 * batch with thousands of results, serialising them again would be most of the cost of a poll.
 */
export function fingerprint(batch: Batch): string {
  let print = prints.get(batch);
  if (print === undefined) {
    const executions = sourceDigest(batch.executions);
    const text = executions === undefined ? JSON.stringify(batch) : JSON.stringify({ ...batch, executions });
    print = createHash('sha1').update(text).digest('base64');
    prints.set(batch, print);
  }
  return print;
}

/**
 * Takes the digest another replica computed for the same batch, sent alongside it: a batch revived
 * from JSON has lost the body digest of its executions and would otherwise be serialised whole.
 */
export function adoptFingerprint(batch: Batch, print: string): void {
  prints.set(batch, print);
}
