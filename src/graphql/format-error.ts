import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isGatewayError } from '../core/errors.js';

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/**
 * The one place errors leave the gateway. It never throws; every error gets an `extensions.code`;
 * outside development, stacks are dropped, upstream URLs are masked and unexpected errors say
 * nothing about internals.
 */
export function createFormatError(options: { development: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    try {
      const original = unwrapResolverError(error);
      const extensions: Record<string, unknown> = { ...formatted.extensions };
      if (!options.development) delete extensions['stacktrace'];
      let message = formatted.message;
      if (isGatewayError(original)) {
        Object.assign(extensions, original.extensions);
      } else if (!extensions['code'] || extensions['code'] === ErrorCode.INTERNAL_SERVER_ERROR) {
        extensions['code'] = ErrorCode.INTERNAL_SERVER_ERROR;
        if (!options.development) message = 'Internal error';
      }
      if (!options.development) message = message.replace(URL_PATTERN, '[url]');
      return { ...formatted, message, extensions };
    } catch {
      return { message: 'Internal error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
  };
}
