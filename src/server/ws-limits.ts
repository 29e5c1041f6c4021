import type { WebSocket } from 'ws';

/** Close code for a client that sends faster than allowed (RFC 6455: policy violation). */
const WS_RATE_LIMITED = 1008;

/**
 * Caps the messages a client may send per second on one socket. A client over the cap is closed
 * with 1008 and a reason saying why; one burst is tolerated up to twice the rate.
 */
export function limitWsConnection(socket: WebSocket, perSecond: number): void {
  let tokens = perSecond * 2;
  let last = Date.now();
  socket.on('message', () => {
    const now = Date.now();
    tokens = Math.min(perSecond * 2, tokens + ((now - last) / 1000) * perSecond);
    last = now;
    tokens -= 1;
    if (tokens < 0) socket.close(WS_RATE_LIMITED, 'Too many messages: slow down');
  });
}
