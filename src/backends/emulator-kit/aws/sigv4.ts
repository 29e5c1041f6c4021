import type { IncomingMessage } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * Server-side SigV4 check for the emulator: parse the `Authorization` header, rebuild the request
 * from the headers the client says it signed, and let `@smithy/signature-v4` sign that copy with the
 * secret we know for the access key. Equal signatures = authentic. No crypto of our own.
 */

export interface EmulatorKey {
  secretAccessKey: string;
  /** When set, requests with this key must carry exactly this `X-Amz-Security-Token`. */
  sessionToken?: string;
}

/** How the real service refuses a request: 403 with an exception name. */
export interface AuthRejection {
  status: number;
  type: 'UnrecognizedClientException' | 'InvalidSignatureException' | 'MissingAuthenticationTokenException' | 'IncompleteSignatureException';
  message: string;
}

export interface SigV4VerifierOptions {
  region: string;
  service: string;
  keys: ReadonlyMap<string, EmulatorKey>;
  /** Largest clock difference accepted, as AWS does. @default 15 minutes */
  maxSkewMs?: number;
}

const AUTH_PATTERN = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

/** Returns a check answering `null` for an authentic request, else how the service refuses it. */
export function createSigV4Verifier(options: SigV4VerifierOptions) {
  const maxSkewMs = options.maxSkewMs ?? 15 * 60 * 1000;

  return async function verify(req: IncomingMessage, body: Buffer): Promise<AuthRejection | null> {
    const authorization = req.headers.authorization;
    if (!authorization) return { status: 403, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    const match = AUTH_PATTERN.exec(authorization);
    if (!match) return { status: 403, type: 'IncompleteSignatureException', message: 'Authorization header requires Credential, SignedHeaders and Signature.' };
    const [, credential = '', signedHeaderList = '', signature = ''] = match;
    const [accessKeyId = '', shortDate = '', region = '', service = '', terminator = ''] = credential.split('/');
    const key = options.keys.get(accessKeyId);
    if (!key) return { status: 403, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    const token = header(req, 'x-amz-security-token');
    if (key.sessionToken !== undefined && token !== key.sessionToken) {
      return { status: 403, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    }
    if (service !== options.service || terminator !== 'aws4_request') {
      return { status: 403, type: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${options.service}'.` };
    }
    if (region !== options.region) {
      return { status: 403, type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region, not '${region}'.` };
    }
    const amzDate = header(req, 'x-amz-date');
    const signingDate = amzDate ? parseAmzDate(amzDate) : null;
    if (!signingDate || amzDate?.slice(0, 8) !== shortDate) {
      return { status: 403, type: 'InvalidSignatureException', message: 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.' };
    }
    if (Math.abs(Date.now() - signingDate.getTime()) > maxSkewMs) {
      return { status: 403, type: 'InvalidSignatureException', message: 'Signature expired: the request time is too far from the server time.' };
    }
    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('host')) {
      return { status: 403, type: 'InvalidSignatureException', message: "'Host' must be a signed header." };
    }

    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = header(req, name);
      if (value === undefined) return { status: 403, type: 'InvalidSignatureException', message: `Signed header '${name}' is missing from the request.` };
      headers[name] = value;
    }
    const url = new URL(req.url ?? '/', 'http://emulator');
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = value;
    const copy = new HttpRequest({ method: req.method ?? 'POST', hostname: 'emulator', path: decodeURIComponent(url.pathname), query, headers, body });
    const signer = new SignatureV4({
      service,
      region,
      credentials: { accessKeyId, secretAccessKey: key.secretAccessKey, ...(token ? { sessionToken: token } : {}) },
      sha256: Sha256,
      // Add nothing the client did not sign itself.
      applyChecksum: false,
    });
    const resigned = await signer.sign(copy, { signingDate, signableHeaders: new Set(signedHeaders) });
    const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers['authorization']))?.[1];
    const expectedList = /SignedHeaders=([^,\s]+)/.exec(String(resigned.headers['authorization']))?.[1];
    if (expected !== signature || expectedList !== signedHeaderList) {
      return {
        status: 403,
        type: 'InvalidSignatureException',
        message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      };
    }
    return null;
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20240131T235959Z` → Date. */
function parseAmzDate(value: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}
