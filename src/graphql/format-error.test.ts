import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ErrorCode, GatewayError } from '../core/errors.js';
import { createFormatError } from './format-error.js';

describe('formatError', () => {
  const production = createFormatError({ development: false });

  it('keeps a gateway error’s code, backend and upstream detail', () => {
    const error = new GatewayError(ErrorCode.BACKEND_ERROR, 'SLV said no', { backend: 'lamps', upstream: { code: '12', message: 'bad controller' } });
    expect(production(error.toJSON(), error)).toEqual({
      message: 'SLV said no',
      extensions: { code: 'BACKEND_ERROR', backend: 'lamps', upstream: { code: '12', message: 'bad controller' } },
    });
  });

  it('hides unexpected errors and their stacks outside development', () => {
    const error = new GraphQLError('boom at /srv/app.js', { originalError: new TypeError('x is undefined') });
    const formatted = production({ message: error.message, extensions: { stacktrace: ['at /srv/app.js:1'] } }, error);
    expect(formatted).toEqual({ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('masks upstream URLs in messages outside development, and keeps them in development', () => {
    const error = new GatewayError(ErrorCode.BACKEND_UNAVAILABLE, 'GET http://user:pw@10.0.0.5:8443/reports/api failed', { backend: 'b' });
    expect(production(error.toJSON(), error).message).toBe('GET [url] failed');
    expect(createFormatError({ development: true })(error.toJSON(), error).message).toContain('http://');
  });

  it('gives graphql’s own errors their code', () => {
    const formatted = production({ message: 'Cannot query field "x"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, new GraphQLError('Cannot query field "x"'));
    expect(formatted.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
