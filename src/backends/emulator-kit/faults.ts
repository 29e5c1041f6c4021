import { setTimeout as delay } from 'node:timers/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { requestBody } from './respond.js';
import { UnreachableCaseError } from '../../core/unreachable.js';

/** The faults an emulator's HTTP shell injects in front of its routes. */
export type Fault =
  /** Connection refused: the port stops listening until the fault is cleared. */
  | { kind: 'down' }
  /** Every answer waits `delayMs` first. */
  | { kind: 'slow'; delayMs: number }
  /** A bare error status (5xx usually) with a short text body. */
  | { kind: 'status'; status: number }
  /** 200 with bytes that are not what the protocol promises. */
  | { kind: 'garbage' }
  /** 200 with an HTML page (a login page or a proxy's error page). */
  | { kind: 'html' }
  /** Headers sent, then the socket is destroyed mid-body. */
  | { kind: 'reset' }
  /** The request is read and never answered: the socket stays open until the fault clears or the client gives up. */
  | { kind: 'hang' }
  /** Headers and the first bytes of the body sent, then nothing more until the fault clears (a stalled download). */
  | { kind: 'stall' }
  /** The backend acts on the request, then the connection drops before its answer (a start whose outcome is lost). */
  | { kind: 'drop' }
  /** The backend refuses our credentials, in its own way (see `EmulatorOptions.refuseCredentials`). */
  | { kind: 'unauthorized' }
  /**
   * A backend (or proxy) that echoes the request in its error: `body` with `{{request}}` replaced by
   * the request line, headers and body, escaped for a JSON string.
   */
  | { kind: 'echo'; status: number; body: string; contentType?: string };

export interface FaultRule {
  fault: Fault;
  /** Fraction of matching requests that fail, 0..1. @default 1 */
  rate?: number;
  /** Only requests whose path matches. @default every path */
  path?: RegExp;
}

interface FaultInjectionOptions {
  rules(): readonly FaultRule[];
  random: () => number;
  refuseCredentials: (req: IncomingMessage, res: ServerResponse) => void;
  /** Keeps an answer open until the faults change (`hang`, `stall`). */
  hold(res: ServerResponse): void;
}

/** Middleware that answers with a fault instead of the emulator's routes, or lets the request through. */
export function faultInjection(options: FaultInjectionOptions) {
  const pickFault = (path: string): Fault | null => {
    for (const rule of options.rules()) {
      if (rule.path && !rule.path.test(path)) continue;
      if (options.random() < (rule.rate ?? 1)) return rule.fault;
    }
    return null;
  };

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const fault = pickFault(new URL(req.originalUrl, 'http://emulator').pathname);
    if (fault?.kind === 'slow') await sleep(fault.delayMs);
    if (res.destroyed) return;
    switch (fault?.kind) {
      case undefined:
      case 'slow':
      case 'down':
        return next();
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(`Emulated failure ${fault.status}`);
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"this is not":json at all\u0000');
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body><form>Login</form></body></html>');
        return;
      case 'reset':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"partial":');
        setImmediate(() => res.socket?.destroy());
        return;
      case 'unauthorized':
        options.refuseCredentials(req, res);
        return;
      case 'hang':
        options.hold(res);
        return;
      case 'drop':
        answerIntoNothing(res);
        return next();
      case 'stall':
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(1024 * 1024) });
        res.write(Buffer.alloc(1024, 0x2e));
        options.hold(res);
        return;
      case 'echo': {
        const request = `${req.method} ${req.originalUrl}\n${Object.entries(req.headers).map(([name, value]) => `${name}: ${String(value)}`).join('\n')}\n\n${requestBody(req).toString('utf8')}`;
        const text = fault.body.replaceAll('{{request}}', () => JSON.stringify(request).slice(1, -1));
        res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'application/json' }).end(text);
        return;
      }
      default:
        throw new UnreachableCaseError(fault, 'fault');
    }
  };
}

/** The routes act on the request, but nothing they write is sent: the connection drops once they answer. */
function answerIntoNothing(res: Response): void {
  res.writeHead = () => res;
  res.flushHeaders = () => undefined;
  res.write = () => true;
  res.end = () => {
    res.socket?.destroy();
    return res;
  };
}

/** A delay that never keeps the process alive by itself. */
const sleep = (ms: number): Promise<void> => delay(ms, undefined, { ref: false });
