import { afterEach, describe, expect, it } from 'vitest';
import { emulatorRouter, requestBody, sendJson, startEmulatorApp, type EmulatorHttpServer } from './index.js';

let http: EmulatorHttpServer | undefined;
afterEach(async () => {
  await http?.close();
  http = undefined;
});

/** An emulator with one route that counts what it acted on and echoes the exact body bytes. */
async function start(options: { maxBodyBytes?: number } = {}) {
  const acted: string[] = [];
  const router = emulatorRouter();
  router.post('/items/:id', (req, res) => {
    acted.push(req.params.id);
    sendJson(res, 200, { id: req.params.id, body: requestBody(req).toString('hex') });
  });
  router.use((_req, res) => sendJson(res, 404, { error: 'no such path' }));
  http = await startEmulatorApp(router, { ...options, refuseCredentials: (_req, res) => sendJson(res, 403, { error: 'refused' }) });
  return { acted, origin: http.origin };
}

describe('the emulator kit', () => {
  it('routes exact paths and hands routes the bytes sent, whatever their content type', async () => {
    const { origin } = await start();
    const bytes = Buffer.from([0x7b, 0x00, 0xff, 0x0a]);
    const answer = await fetch(`${origin}/items/a%20b`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/json' } });
    expect(await answer.json()).toEqual({ id: 'a b', body: '7b00ff0a' });
    expect(answer.headers.get('x-powered-by')).toBeNull();
    expect((await fetch(`${origin}/items/a/`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${origin}/ITEMS/a`, { method: 'POST' })).status).toBe(404);
    expect(http?.count((request) => request.path.startsWith('/items/'))).toBe(2);
  });

  it('answers no sooner than the latency set, as a service across a network does', async () => {
    const { origin } = await start();
    const timed = async () => {
      const started = performance.now();
      expect((await fetch(`${origin}/items/x`, { method: 'POST' })).status).toBe(200);
      return performance.now() - started;
    };
    http!.setLatency(120);
    expect(await timed()).toBeGreaterThanOrEqual(115);
    http!.setLatency(0);
    await timed();
    expect(() => http!.setLatency(-1)).toThrow(RangeError);
  });

  it('acts on a request under the drop fault but sends no answer', async () => {
    const { acted, origin } = await start();
    await http?.setFaults([{ fault: { kind: 'drop' } }]);
    await expect(fetch(`${origin}/items/lost`, { method: 'POST' })).rejects.toThrow();
    expect(acted).toEqual(['lost']);
    await http?.setFaults([]);
    expect((await fetch(`${origin}/items/kept`, { method: 'POST' })).status).toBe(200);
  });

  it('refuses credentials the emulator\'s way and refuses bodies over the limit', async () => {
    const { acted, origin } = await start({ maxBodyBytes: 16 });
    expect((await fetch(`${origin}/items/big`, { method: 'POST', body: 'x'.repeat(17) })).status).toBe(413);
    await http?.setFaults([{ fault: { kind: 'unauthorized' }, path: /^\/items\// }]);
    const refused = await fetch(`${origin}/items/a`, { method: 'POST' });
    expect([refused.status, await refused.json()]).toEqual([403, { error: 'refused' }]);
    expect(acted).toEqual([]);
  });
});
