import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubLogs } from '../logger.js';
import { configuredSecrets, createScrubber } from './scrub.js';

describe('the scrubber', () => {
  const scrubber = createScrubber({ secrets: ['s3cr3t-pass/word'], basicPairs: [['admin', 's3cr3t-pass/word']] });

  it.each([
    ['a configured secret as written', 'login failed for s3cr3t-pass/word', 'login failed for [redacted]'],
    ['a configured secret URL-encoded', 'body: user=admin&pw=s3cr3t-pass%2Fword', 'body: user=admin&pw=[redacted]'],
    ['the Basic pair of the configured user and password', `header ${Buffer.from('admin:s3cr3t-pass/word').toString('base64')}`, 'header [redacted]'],
    ['an Authorization header value', 'authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/x/aws4_request', 'authorization: [redacted]'],
    ['a bearer token', 'sent Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', 'sent Bearer [redacted]'],
    ['an AWS access key id', 'key ASIAQWERTYUIOPASDFGH used', 'key [redacted] used'],
    ['a SigV4 signature', 'Signature=0123456789abcdef0123456789abcdef', 'Signature=[redacted]'],
    ['an X-Amz-Security-Token', 'x-amz-security-token: IQoJb3JpZ2luX2VjEJr//////////wEaCXVz', 'x-amz-security-token: [redacted]'],
    ['a token field of a JSON body', '{"access_token":"abc.def.ghi","token_type":"Bearer"}', '{"access_token":"[redacted]","token_type":"Bearer"}'],
  ])('removes %s', (_name, input, output) => {
    expect(scrubber.text(input)).toBe(output);
  });

  it('leaves ordinary backend text alone', () => {
    expect(scrubber.text('Batch 42 failed: controller ctrl-7 did not answer (HTTP 504)')).toBe('Batch 42 failed: controller ctrl-7 did not answer (HTTP 504)');
  });

  it('scrubs every string of a nested value, keys kept', () => {
    expect(scrubber.value({ message: 'pw s3cr3t-pass/word', status: 400, nested: ['Bearer abcdefghij'] })).toEqual({
      message: 'pw [redacted]',
      status: 400,
      nested: ['Bearer [redacted]'],
    });
  });

  it('takes each backend entry’s secret fields, paired with its username', () => {
    const options = configuredSecrets([{ kind: 'x', username: 'u', password: 'pppp', url: 'http://h' }], () => ['password'], ['client-token']);
    expect(options).toEqual({ secrets: ['client-token', 'pppp'], basicPairs: [['u', 'pppp']] });
  });
});

describe('logs', () => {
  it('pass through the scrubbers given to a logger made by createLogger', () => {
    const lines: string[] = [];
    const logger = createLogger('info', {
      destination: new Writable({
        write(chunk, _encoding, callback) {
          lines.push(String(chunk));
          callback();
        },
      }),
    });
    scrubLogs(logger, createScrubber({ secrets: ['hunter2-secret'] }).text);
    logger.child({ backend: 'b' }).error({ err: new Error('upstream said: password hunter2-secret rejected') }, 'call failed');
    expect(lines.join('')).toContain('[redacted]');
    expect(lines.join('')).not.toContain('hunter2-secret');
  });
});
