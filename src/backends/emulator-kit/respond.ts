import type { ServerResponse } from 'node:http';
import type { Request } from 'express';

const EMPTY = Buffer.alloc(0);

/** The request body's exact bytes (empty without a body): emulators verify signatures over them and parse them as their service does. */
export const requestBody = (req: Request): Buffer => (Buffer.isBuffer(req.body) ? req.body : EMPTY);

/** Reads a request's parameters from its query string and, for form posts, its body (repeated keys kept). */
export function requestParams(req: Request): URLSearchParams {
  const params = new URL(req.originalUrl, 'http://emulator').searchParams;
  if (req.is('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(requestBody(req).toString('utf8'))) params.append(key, value);
  }
  return params;
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(value), headers);
}

/** `sendJson` for a body already serialised (an emulator's cached answer). */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
