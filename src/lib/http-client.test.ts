import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../core/errors.js';
import { createHttpClient, publicUrl, translateHttpError } from './http-client.js';

describe('translateHttpError', () => {
  it('answers BACKEND_UNAVAILABLE for a refused connection', async () => {
    const client = createHttpClient({ backendId: 'b', prefixUrl: 'http://127.0.0.1:1', timeoutMs: 500, readRetries: 0 });
    const error = await client.got.get('x').then(() => null, (caught: unknown) => caught);
    client.dispose();
    expect(translateHttpError(error, 'b')).toMatchObject({ code: ErrorCode.BACKEND_UNAVAILABLE, backend: 'b' });
  });

  it('finds a socket failure along the cause chain, as newer Node versions report some', () => {
    const socketError = Object.assign(new Error('Socket closed before the connection was established'), { code: 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION' });
    const wrapped = new Error('request failed', { cause: socketError });
    expect(translateHttpError(wrapped, 'b').code).toBe(ErrorCode.BACKEND_UNAVAILABLE);
    expect(translateHttpError(new Error('something else'), 'b').code).toBe(ErrorCode.BACKEND_ERROR);
  });
});

describe('publicUrl', () => {
  it('drops credentials, query and fragment', () => {
    expect(publicUrl('https://user:secret@slv.example.net/reports/?token=abc#x')).toBe('https://slv.example.net/reports');
  });
});
