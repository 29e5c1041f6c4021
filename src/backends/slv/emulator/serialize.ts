import type { ServerResponse } from 'node:http';

/**
 * How the emulator writes answers the way SLV does: `ser=json` gives JSON with every object's keys
 * in alphabetical order (SLV's bean serialiser); without it, XML (XStream-style element per field).
 */

/** A deep copy with every object's keys sorted. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Writes `value` as JSON (`ser=json`) or as XML under `root`. */
export function sendSerialized(res: ServerResponse, params: URLSearchParams, root: string, value: unknown, headers: Record<string, string> = {}): void {
  const json = params.get('ser')?.toLowerCase() === 'json';
  const text = json ? JSON.stringify(sortKeys(value)) : `<?xml version="1.0" encoding="UTF-8"?>\n${toXml(root, sortKeys(value))}`;
  res.writeHead(200, {
    'content-type': json ? 'application/json;charset=UTF-8' : 'application/xml;charset=UTF-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function toXml(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) return `<${name}>${value.map((item) => toXml('item', item)).join('')}</${name}>`;
  if (typeof value === 'object') {
    const children = Object.entries(value as Record<string, unknown>).map(([key, child]) => toXml(key, child));
    return `<${name}>${children.join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(typeof value === 'string' ? value : JSON.stringify(value))}</${name}>`;
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[char] ?? char);

/** SLV's answer to a call without valid credentials: its HTML login page, with HTTP 200. */
export function sendLoginPage(res: ServerResponse): void {
  const html =
    '<!DOCTYPE html><html><head><title>Streetlight.Vision - Login</title></head><body>' +
    '<form method="post" action="j_security_check"><input name="j_username"/><input type="password" name="j_password"/>' +
    '<button type="submit">Log in</button></form></body></html>';
  res.writeHead(200, { 'content-type': 'text/html;charset=UTF-8', 'content-length': String(Buffer.byteLength(html)) });
  res.end(html);
}

/** A servlet container's own HTML error page (unknown path, forbidden). */
export function sendContainerError(res: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
  const html = `<!doctype html><html><head><title>HTTP Status ${status}</title></head><body><h1>HTTP Status ${status} – ${reason}</h1></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html;charset=utf-8', 'content-length': String(Buffer.byteLength(html)), ...headers });
  res.end(html);
}

/** A Java exception as some servers answer an unexpected failure: plain text (HTTP 200) or the container's 500 page. */
export function sendExceptionText(res: ServerResponse, status: 200 | 500, batchId: string | null): void {
  const trace =
    `java.lang.NullPointerException: batch ${batchId ?? ''}\n` +
    '\tat com.dotv.streetlightserver.api.BatchAPI.getBatchResult(BatchAPI.java:112)\n' +
    '\tat com.dotv.streetlightserver.api.servlet.SLVAPIServlet.service(SLVAPIServlet.java:201)';
  const text = status === 200 ? trace : `<!doctype html><html><head><title>HTTP Status 500</title></head><body><h1>HTTP Status 500 – Internal Server Error</h1><pre>${trace}</pre></body></html>`;
  res.writeHead(status, { 'content-type': status === 200 ? 'text/plain;charset=UTF-8' : 'text/html;charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
