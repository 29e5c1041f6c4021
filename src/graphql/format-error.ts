import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, isGatewayError } from '../core/errors.js';
import type { Scrubber } from '../lib/scrub.js';

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
/** A quoted value longer than this is cut to its first `QUOTED_PREFIX` characters. */
const QUOTED_MAX = 80;
const QUOTED_PREFIX = 40;
const LONG_QUOTED = new RegExp(String.raw`"((?:[^"\\]|\\.){${QUOTED_MAX + 1},})"`, 'g');
/** No message or upstream text is longer than this. */
const TEXT_MAX = 1000;

/**
 * Client input quoted back (an id, a variable's value) is cut to a short prefix, and any text to
 * `TEXT_MAX` characters: a 300 KB id must not come back whole, once per error.
 */
function shortenEcho(text: string): string {
  const cut = text.replace(LONG_QUOTED, (_match, inner: string) => `"${inner.slice(0, QUOTED_PREFIX)}…"`);
  return cut.length > TEXT_MAX ? `${cut.slice(0, TEXT_MAX)}…` : cut;
}

const shortenStrings = (value: unknown, depth = 0): unknown => {
  if (typeof value === 'string') return shortenEcho(value);
  if (typeof value !== 'object' || value === null || depth > 8) return value;
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => shortenStrings(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shortenStrings(item, depth + 1)]));
};

/**
 * The one place errors leave the gateway. It never throws; every error gets an `extensions.code`;
 * outside development, stacks are dropped, upstream URLs are masked and unexpected errors say
 * nothing about internals. Credentials are scrubbed from the message and extensions (backend text
 * may echo the gateway's own request), and echoed client input is shortened.
 */
export function createFormatError(options: { development: boolean; scrubber?: Scrubber }) {
  const scrub = options.scrubber;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    try {
      const original = unwrapResolverError(error);
      let extensions: Record<string, unknown> = { ...formatted.extensions };
      if (!options.development) delete extensions['stacktrace'];
      let message = formatted.message;
      if (isGatewayError(original)) {
        Object.assign(extensions, original.extensions);
      } else if (!extensions['code'] || extensions['code'] === ErrorCode.INTERNAL_SERVER_ERROR) {
        extensions['code'] = ErrorCode.INTERNAL_SERVER_ERROR;
        if (!options.development) message = 'Internal error';
      }
      if (!options.development) message = message.replace(URL_PATTERN, '[url]');
      message = shortenEcho(scrub ? scrub.text(message) : message);
      if (extensions['upstream'] !== undefined) extensions = { ...extensions, upstream: shortenStrings(scrub ? scrub.value(extensions['upstream']) : extensions['upstream']) };
      return { ...formatted, message, extensions };
    } catch {
      return { message: 'Internal error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
  };
}
