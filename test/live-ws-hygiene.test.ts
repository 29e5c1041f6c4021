import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { openWsClient } from './utils/subscriptions.js';
import { LIVE_WAIT } from './utils/live.js';

const TOKEN = 'live-hygiene-token';
let gateway: TestGateway;
let wsUrl = '';

beforeAll(async () => {
  gateway = await startTestGateway({ auth: { tokens: [TOKEN] }, limits: { wsKeepAliveMs: 50, wsConnectionInitTimeoutMs: 300 } });
  wsUrl = gateway.wsUrl;
});
afterAll(async () => {
  await gateway?.close();
});

/** A bare graphql-transport-ws socket, to see what a client library would hide. */
async function rawSocket(): Promise<{ socket: WebSocket; closed: Promise<number>; messages: Array<{ type: string }>; pings: () => number }> {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  const messages: Array<{ type: string }> = [];
  let pings = 0;
  socket.on('ping', () => (pings += 1));
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as { type: string }));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed, messages, pings: () => pings };
}

describe('graphql-ws connections', () => {
  it('sends keep-alive pings to an accepted connection', async () => {
    const { socket, closed, messages, pings } = await rawSocket();
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${TOKEN}` } }));
    await expect.poll(() => messages.some((message) => message.type === 'connection_ack'), { ...LIVE_WAIT, message: 'the connection is acknowledged' }).toBeTruthy();
    await expect.poll(() => pings() >= 3, { ...LIVE_WAIT, message: 'three pings arrived' }).toBeTruthy();
    // `ws` answers each ping with a pong, so the server keeps the connection.
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close(1000);
    expect(await closed).toBe(1000);
  });

  it('closes with 4408 a connection that never sends connection_init', async () => {
    const { closed, messages } = await rawSocket();
    expect(await closed).toBe(4408);
    expect(messages).toEqual([]);
  });

  it('closes with 4403 a connection whose token is refused', async () => {
    const wrong = openWsClient(wsUrl, { authorization: 'Bearer not-the-token', lazy: false });
    const missing = openWsClient(wsUrl, { lazy: false });
    try {
      await expect.poll(() => wrong.closes.length > 0 && missing.closes.length > 0, { ...LIVE_WAIT, message: 'both connections are closed' }).toBeTruthy();
      expect(wrong.closes).toEqual([4403]);
      expect(missing.closes).toEqual([4403]);
    } finally {
      await Promise.all([wrong.dispose(), missing.dispose()]);
    }
  });
});
