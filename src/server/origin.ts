import type { IncomingMessage } from 'node:http';
import type { GatewayConfig } from '../config/load.js';

/**
 * Which origin the gateway is reached at, and which browser origins may open its WebSocket.
 *
 * Links (artifact downloads) never come from the client's `Host`: a forged header would point them
 * elsewhere. They use `publicUrl`, else the forwarded host when a trusted proxy sets one, else the
 * listen address.
 */
export interface OriginPolicy {
  /** The origin absolute links are built with, e.g. `https://batch.example.com`. */
  linkOrigin(req: IncomingMessage): string;
  /** False when a browser on another origin, not listed in `cors.origins`, opens the socket. */
  allowsSocket(req: IncomingMessage): boolean;
}

const HOST = /^[A-Za-z0-9.\-[\]:]{1,255}$/;
const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
export const formatHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

export function createOriginPolicy(config: GatewayConfig, listenPort: () => number): OriginPolicy {
  const publicOrigin = config.publicUrl ? config.publicUrl.replace(/\/+$/, '') : null;
  const listenOrigin = () => {
    // A wildcard address is no place to send a browser to; the loopback name is.
    const host = config.listen.host === '0.0.0.0' || config.listen.host === '::' ? 'localhost' : config.listen.host;
    return `http://${formatHost(host)}:${listenPort()}`;
  };
  const forwarded = (req: IncomingMessage): string | null => {
    if (!config.trustProxy) return null;
    const host = first(req.headers['x-forwarded-host']);
    const proto = first(req.headers['x-forwarded-proto']) ?? 'http';
    if (!host || !HOST.test(host) || (proto !== 'http' && proto !== 'https')) return null;
    return `${proto}://${host}`;
  };
  const allowAny = config.cors.origins.includes('*');
  const allowed = new Set(config.cors.origins.map((origin) => origin.replace(/\/+$/, '').toLowerCase()));

  return {
    linkOrigin: (req) => publicOrigin ?? forwarded(req) ?? listenOrigin(),
    allowsSocket(req) {
      const origin = first(req.headers.origin);
      // Non-browser clients send no Origin; a browser always does on a WebSocket handshake.
      if (origin === undefined) return true;
      if (allowAny || allowed.has(origin.toLowerCase())) return true;
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        return false;
      }
      // Same origin: the page came from the host the socket goes to.
      const hosts = [req.headers.host, config.trustProxy ? first(req.headers['x-forwarded-host']) : undefined];
      if (hosts.some((host) => host !== undefined && host.toLowerCase() === parsed.host.toLowerCase())) return true;
      return publicOrigin !== null && new URL(publicOrigin).origin === parsed.origin;
    },
  };
}
