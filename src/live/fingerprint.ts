import { createHash } from 'node:crypto';
import type { Batch } from '../core/model.js';

const prints = new WeakMap<Batch, string>();

/**
 * What a client could see of a batch, as a short digest: computed once per batch object (the same
 * object passes through poller, announcer and relays), and small enough to remember for many batches.
 */
export function fingerprint(batch: Batch): string {
  let print = prints.get(batch);
  if (print === undefined) {
    print = createHash('sha1').update(JSON.stringify(batch)).digest('base64');
    prints.set(batch, print);
  }
  return print;
}
