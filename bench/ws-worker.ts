/**
 * A load-generator process for the subscription benchmark: opens many graphql-ws connections, one
 * `batchProgress` subscription each, and notes when every event arrives. Several of these run
 * side by side so the clients are not the bottleneck. Driven over IPC by `live-bench.ts`:
 *
 *   → { cmd: 'open', urls, ids, first, count }  ← { type: 'ready', opened, failed }
 *
 * With several gateway URLs (replicas behind a balancer), subscriber n goes to replica
 * ⌊n / K⌋ mod R: every batch gets subscribers on every replica, and each replica gets N / R.
 *   → { cmd: 'collect' }                        ← { type: 'events', events: [batch, completed, at][] }
 *   → { cmd: 'close' }                          ← exits
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export type WorkerCommand =
  | { cmd: 'open'; urls: string[]; ids: string[]; first: number; count: number }
  | { cmd: 'collect' }
  | { cmd: 'close' };

/** One event received: which batch (index into `ids`), its completed count, epoch ms of arrival. */
export type ReceivedEvent = [batch: number, completed: number, at: number];

const QUERY = 'subscription ($id: ID!) { batchProgress(id: $id) { terminal batch { id state progress { completedItems percent } } } }';
const OPEN_AT_ONCE = 100;
const now = () => performance.timeOrigin + performance.now();

const clients: Client[] = [];
let events: ReceivedEvent[] = [];
let failed = 0;

async function open(urls: string[], ids: string[], first: number, count: number): Promise<void> {
  const wsUrls = urls.map((url) => url.replace(/^http/, 'ws'));
  let opened = 0;
  const openOne = (n: number) =>
    new Promise<void>((resolve) => {
      const batch = (first + n) % ids.length;
      const wsUrl = wsUrls[Math.floor((first + n) / ids.length) % wsUrls.length]!;
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, keepAlive: 0 });
      clients.push(client);
      let snapshot = false;
      client.subscribe<{ batchProgress: { batch: { progress: { completedItems: number | null } } } }>(
        { query: QUERY, variables: { id: ids[batch]! } },
        {
          next: (result) => {
            const completed = result.data?.batchProgress.batch.progress.completedItems ?? -1;
            if (!snapshot) {
              // The snapshot sent on subscribe is not a change: it only says this subscriber is live.
              snapshot = true;
              opened += 1;
              return resolve();
            }
            events.push([batch, completed, now()]);
          },
          error: () => {
            failed += 1;
            if (!snapshot) resolve();
          },
          complete: () => {
            if (!snapshot) resolve();
          },
        },
      );
    });
  let n = 0;
  const lanes = Array.from({ length: Math.min(OPEN_AT_ONCE, count) }, async () => {
    while (n < count) await openOne(n++);
  });
  await Promise.all(lanes);
  process.send?.({ type: 'ready', opened, failed });
}

process.on('message', (message: WorkerCommand) => {
  switch (message.cmd) {
    case 'open':
      void open(message.urls, message.ids, message.first, message.count);
      return;
    case 'collect':
      process.send?.({ type: 'events', events, failed });
      events = [];
      return;
    case 'close':
      void Promise.all(clients.map(async (client) => { await client.dispose(); })).finally(() => process.exit(0));
      return;
    default: {
      const exhaustive: never = message;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
});
process.on('disconnect', () => process.exit(0));
