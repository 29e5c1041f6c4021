/**
 * Removes credentials from text that came from a backend (or a proxy in front of one) before it
 * reaches a client, a health answer or a log line. A backend that echoes the request in its error
 * body would otherwise relay the gateway's own credentials.
 *
 * Two kinds of material are removed: every configured secret value (as written, URL-encoded and
 * JSON-escaped, and the Basic `user:password` pair it forms), and anything shaped like a credential
 * whatever its source (Authorization and Cookie values, Basic and Bearer tokens, AWS access key ids,
 * SigV4 signatures and security tokens, token and password fields of a JSON body).
 */

const REDACTED = '[redacted]';

export interface Scrubber {
  /** The text with every credential replaced by `[redacted]`. */
  text(value: string): string;
  /** A copy of a JSON-like value with every string scrubbed (keys kept). */
  value<T>(value: T): T;
}

export interface ScrubberOptions {
  /** Secret values to remove wherever they appear. Values shorter than 4 characters are skipped: they would mangle ordinary text. */
  secrets?: readonly string[];
  /** `[user, password]` pairs sent as HTTP Basic credentials: their base64 form is removed too. */
  basicPairs?: ReadonlyArray<readonly [string, string]>;
}

const MIN_SECRET_LENGTH = 4;

/** Header or field name, an optional closing quote, `:` or `=`, then the value up to the end of the line or quote. */
const NAMED_VALUES =
  /((?:authorization|proxy-authorization|cookie|set-cookie|x-amz-security-token|x-amz-credential|x-amz-signature|x-api-key|api[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|session[_-]?token|secret[_-]?access[_-]?key|password|passwd|client[_-]?secret)\\?["']?\s*[:=]\s*\\?["']?)[^"'\\\r\n&]+/gi;
const SHAPES: ReadonlyArray<[RegExp, string]> = [
  [NAMED_VALUES, `$1${REDACTED}`],
  [/\b(Basic|Bearer|Digest|Negotiate)\s+[A-Za-z0-9+/=._~-]{6,}/gi, `$1 ${REDACTED}`],
  // SigV4: the credential scope starts with the access key id, the signature is hex.
  [/\b(Credential=)[^,\s"'&]+/g, `$1${REDACTED}`],
  [/\b(Signature=)[0-9a-fA-F]{16,}/g, `$1${REDACTED}`],
  [/\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b/g, REDACTED],
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function createScrubber(options: ScrubberOptions = {}): Scrubber {
  const literals = new Set<string>();
  const add = (secret: string) => {
    if (secret.length < MIN_SECRET_LENGTH) return;
    literals.add(secret);
    literals.add(encodeURIComponent(secret));
    literals.add(JSON.stringify(secret).slice(1, -1));
  };
  for (const secret of options.secrets ?? []) add(secret);
  for (const [user, password] of options.basicPairs ?? []) {
    if (password.length >= MIN_SECRET_LENGTH) add(Buffer.from(`${user}:${password}`, 'utf8').toString('base64'));
  }
  // Longest first, so a secret that contains another is removed whole.
  const sorted = [...literals].filter((literal) => literal.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  const known = sorted.length > 0 ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : null;

  const text = (value: string): string => {
    let result = known ? value.replace(known, REDACTED) : value;
    for (const [pattern, replacement] of SHAPES) result = result.replace(pattern, replacement);
    return result;
  };
  const scrubValue = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return text(value);
    if (typeof value !== 'object' || value === null) return value;
    // Deeper than any error detail goes: cut rather than walk a hostile structure.
    if (depth > 8) return REDACTED;
    if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubValue(item, depth + 1)]));
  };
  return { text, value: <T>(value: T) => scrubValue(value, 0) as T };
}

/**
 * The secrets of a config's backend entries: each field its module names in `secretFields`, and the
 * entry's `username` paired with each of them (HTTP Basic). Client tokens are secrets too.
 */
export function configuredSecrets(
  entries: ReadonlyArray<Record<string, unknown>>,
  secretFieldsOf: (kind: string) => readonly string[],
  clientTokens: readonly string[] = [],
): ScrubberOptions {
  const secrets: string[] = [...clientTokens];
  const basicPairs: Array<[string, string]> = [];
  for (const entry of entries) {
    for (const field of secretFieldsOf(String(entry['kind']))) {
      const value = entry[field];
      if (typeof value !== 'string' || value === '') continue;
      secrets.push(value);
      if (typeof entry['username'] === 'string') basicPairs.push([entry['username'], value]);
    }
  }
  return { secrets, basicPairs };
}
