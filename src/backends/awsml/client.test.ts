import { describe, expect, it } from 'vitest';
import { readAwsError } from './client.js';

describe('reading Amazon ML error answers', () => {
  it('strips a namespace prefix from __type and accepts Message spelled with a capital', () => {
    expect(readAwsError({}, '{"__type":"com.amazonaws.machinelearning#ResourceNotFoundException","Message":"gone","code":404}')).toEqual({
      type: 'ResourceNotFoundException',
      message: 'gone',
      code: 404,
    });
  });

  it('names the error from the x-amzn-ErrorType header when the body does not', () => {
    expect(readAwsError({ 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/' }, '{"message":"slow down"}')).toEqual({
      type: 'ThrottlingException',
      message: 'slow down',
      code: null,
    });
  });

  it('names nothing for a body that is not JSON and has no header', () => {
    expect(readAwsError({}, '<html>proxy error</html>')).toEqual({ type: null, message: null, code: null });
  });
});
