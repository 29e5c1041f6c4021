import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, FinalizeRequestMiddleware, InitializeMiddleware, Pluggable } from '@smithy/types';
import { z } from 'zod';
import type { BackendContext } from '../core/backend.js';
import { statusOf } from './aws-errors.js';
import { startUpstreamSpan } from './tracing.js';

/**
 * Everything AWS-generic the AWS backends need around an official SDK v3 client: the config fields
 * of region and credentials, the credential chain, the SDK settings (standard retry mode, timeouts,
 * keep-alive sockets, one deadline per call), and the upstream-call reporting and credential-refresh
 * middleware. The translation of SDK errors into the contract's codes is in `aws-errors.ts`.
 * docs/backends/awsml.md §7 and §8 say why each is so.
 */

export interface AwsCredentialSettings {
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  profile?: string | undefined;
}

/**
 * The region and credential fields of every AWS backend's config entry. Keys are optional: without
 * them the default provider chain (see `credentialsFor`) finds credentials, so nothing secret needs
 * to be written in the config file.
 */
export const awsCredentialFields = {
  /** AWS region, e.g. `eu-west-1`. @default process.env.AWS_REGION */
  region: z.string().regex(/^[a-z0-9-]+$/, { message: 'expected an AWS region such as eu-west-1' }).optional().describe('AWS region, e.g. eu-west-1; default AWS_REGION.'),
  /** Named profile of the shared AWS config files, for the default provider chain. @default process.env.AWS_PROFILE, else `default` */
  profile: z.string().min(1).max(128).optional().describe('Profile of the shared AWS config files for the default credential chain; default AWS_PROFILE, else default.'),
  /** Explicit access key id. @default the default provider chain */
  accessKeyId: z.string().min(1).optional().describe('Explicit access key id; without it the default credential chain is used.'),
  /** Secret, along with accessKeyId. */
  secretAccessKey: z.string().min(1).optional().describe('Secret access key, along with accessKeyId.'),
  /** Secret, for temporary credentials given explicitly. */
  sessionToken: z.string().min(1).optional().describe('Session token of explicit temporary keys.'),
};

/** The secret ones of `awsCredentialFields` (a module's `secretFields`). */
export const AWS_SECRET_FIELDS: readonly (keyof typeof awsCredentialFields)[] = ['secretAccessKey', 'sessionToken'];

type AwsCredentialConfig = Partial<Record<keyof typeof awsCredentialFields, string | undefined>>;

/** The checks across `awsCredentialFields`, for an entry's `superRefine`: a region from somewhere, keys in pairs, keys or a profile. */
export function checkAwsCredentialFields(config: AwsCredentialConfig, ctx: z.RefinementCtx): void {
  if (!resolveAwsRegion(config)) ctx.addIssue({ code: 'custom', path: ['region'], message: 'expected a region (or the AWS_REGION environment variable)' });
  if (config.accessKeyId && !config.secretAccessKey) {
    ctx.addIssue({ code: 'custom', path: ['secretAccessKey'], message: 'expected a secret access key along with accessKeyId' });
  } else if (!config.accessKeyId && config.secretAccessKey) {
    ctx.addIssue({ code: 'custom', path: ['accessKeyId'], message: 'expected an access key id along with secretAccessKey' });
  }
  if (config.sessionToken && !config.accessKeyId) {
    ctx.addIssue({ code: 'custom', path: ['sessionToken'], message: 'expected accessKeyId and secretAccessKey along with sessionToken' });
  }
  if (config.profile && config.accessKeyId) {
    ctx.addIssue({ code: 'custom', path: ['profile'], message: 'expected either explicit keys or a profile, not both' });
  }
}

/** Config first, then the standard environment variables. */
export function resolveAwsRegion(config: Pick<AwsCredentialConfig, 'region'>, env: NodeJS.ProcessEnv = process.env): string | null {
  return config.region ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || null);
}

/**
 * Explicit keys when configured, else the SDK's default provider chain (environment, shared config
 * and credentials files with `profile`, SSO, `credential_process`, web identity, container and
 * instance roles). The chain is memoized and refreshes credentials five minutes before they expire.
 */
export function credentialsFor(settings: AwsCredentialSettings): AwsCredentialIdentity | AwsCredentialIdentityProvider {
  if (settings.accessKeyId && settings.secretAccessKey) {
    return {
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}),
    };
  }
  return fromNodeProviderChain(settings.profile ? { profile: settings.profile } : {});
}

export interface SdkSettings {
  region: string;
  endpoint?: string | undefined;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  timeoutMs: number;
  /** Attempts per call, first included, in the SDK's standard retry mode. @default 3 */
  maxAttempts?: number | undefined;
  /** Most sockets open to this backend at once. @default 32 */
  maxSockets?: number;
}

/** Constructor options for any SDK v3 client, plus a `dispose` for the sockets. */
export function sdkClientConfig(settings: SdkSettings) {
  // On Node.js < 22 the SDK prints a multi-line NodeVersionSupportWarning to stderr, beside the JSON
  // log; the gateway logs the same once as a log line instead (gateway.ts). An operator's own choice stands.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const maxSockets = settings.maxSockets ?? 32;
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets, maxFreeSockets: 8 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets, maxFreeSockets: 8 });
  return {
    config: {
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      credentials: settings.credentials,
      retryMode: 'standard',
      maxAttempts: settings.maxAttempts ?? 3,
      requestHandler: {
        httpAgent,
        httpsAgent,
        connectionTimeout: Math.min(settings.timeoutMs, 5000),
        // Per attempt, to the end of the answer; the SDK's retries each get their own.
        requestTimeout: settings.timeoutMs,
        throwOnRequestTimeout: true,
      },
    },
    /**
     * `send` options that end the whole call, the SDK's retries included, at `timeoutMs` (or when
     * `signal` aborts): each attempt's socket timeout alone would let a hanging backend be asked
     * again, in the background, long after the gateway has answered.
     */
    sendOptions(signal?: AbortSignal): { abortSignal: AbortSignal } {
      const deadline = AbortSignal.timeout(settings.timeoutMs);
      return { abortSignal: signal ? AbortSignal.any([signal, deadline]) : deadline };
    },
    dispose(): void {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

interface HttpLike {
  method?: string;
  path?: string;
  hostname?: string;
  headers?: Record<string, string>;
}

/**
 * Reports every HTTP attempt (retries included) to `BackendContext.onUpstreamCall` and traces it
 * (W3C `traceparent` sent along), as the shared got client does for the other backends. Runs after
 * signing, so one report = one request sent; SigV4 does not sign the trace headers added here.
 */
export function upstreamCallPlugin<Input extends object, Output extends object>(backend: string, onUpstreamCall: BackendContext['onUpstreamCall']): Pluggable<Input, Output> {
  return {
    applyToStack(stack) {
      const middleware: FinalizeRequestMiddleware<Input, Output> = (next) => async (args) => {
        const request = args.request as HttpLike;
        const started = Date.now();
        const span = startUpstreamSpan(backend, request.method ?? 'POST', undefined, { 'url.path': request.path ?? '/', ...(request.hostname ? { 'server.address': request.hostname } : {}) });
        if (request.headers) Object.assign(request.headers, span.headers);
        const report = (statusCode: number | null, ok: boolean) =>
          onUpstreamCall?.({ backend, method: request.method ?? 'POST', path: request.path ?? '/', statusCode, durationMs: Date.now() - started, outcome: ok ? 'ok' : 'error' });
        try {
          const result = await next(args);
          const status = (result.response as { statusCode?: number } | undefined)?.statusCode ?? null;
          report(status, status !== null && status < 400);
          span.end({ statusCode: status });
          return result;
        } catch (error) {
          report(statusOf(error), false);
          span.end({ statusCode: statusOf(error), error });
          throw error;
        }
      };
      stack.addRelativeTo(middleware, { name: 'batchgateUpstreamCall', relation: 'after', toMiddleware: 'httpSigningMiddleware', override: true });
    },
  };
}

/**
 * The answers that mean the credentials we signed with are no longer good (a session token that
 * expired early, keys rotated under a running process). Retrying with the same cached credentials
 * cannot help; fetching fresh ones from the provider chain may.
 */
const STALE_CREDENTIALS = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'RequestExpired',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
]);

/** Whether an SDK error says the signing credentials are stale. */
function isStaleCredentialsError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && STALE_CREDENTIALS.has(name);
}

/** The client's memoized credential provider, which takes `{ forceRefresh: true }`. */
type RefreshableProvider = (options?: { forceRefresh?: boolean }) => Promise<AwsCredentialIdentity>;

/**
 * Refreshes the credentials and sends the call once more when the service calls them stale. Sits in
 * the initialize step, above serialization and signing, so the repeated call is signed anew with
 * what the provider answers after `forceRefresh` (the SDK's own memo and the provider chain's both
 * honour it). Only for credentials from a provider: explicit keys would come back the same.
 */
export function credentialRefreshPlugin<Input extends object, Output extends object>(provider: () => unknown): Pluggable<Input, Output> {
  return {
    applyToStack(stack) {
      const middleware: InitializeMiddleware<Input, Output> = (next) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          const refresh = provider();
          if (!isStaleCredentialsError(error) || typeof refresh !== 'function') throw error;
          try {
            await (refresh as RefreshableProvider)({ forceRefresh: true });
          } catch {
            // No fresh credentials to be had: the service's own answer says more than the chain's.
            throw error;
          }
          return next(args);
        }
      };
      stack.add(middleware, { step: 'initialize', name: 'batchgateCredentialRefresh', priority: 'high', override: true });
    },
  };
}
