import { z } from 'zod';
import { backendIdSchema } from '../module.js';
import type { AwsCredentialSettings } from '../../lib/aws.js';

/**
 * The `awsml` config entry. Keys are optional: without them the AWS SDK's default provider chain
 * finds credentials (environment, shared config and credentials files with `profile`, SSO,
 * `credential_process`, web identity, container and instance roles) and refreshes them before they
 * expire (docs/backends/awsml.md §7).
 */
export const awsMlConfigSchema = z
  .object({
    id: backendIdSchema,
    kind: z.literal('awsml'),
    /** AWS region, e.g. `eu-west-1`. @default process.env.AWS_REGION */
    region: z.string().regex(/^[a-z0-9-]+$/, { message: 'expected an AWS region such as eu-west-1' }).optional().describe('AWS region, e.g. eu-west-1; default AWS_REGION.'),
    /** Service endpoint. @default `https://machinelearning.<region>.amazonaws.com` */
    endpoint: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional().describe('Service endpoint; default https://machinelearning.<region>.amazonaws.com.'),
    /** Named profile of the shared AWS config files, for the default provider chain. @default process.env.AWS_PROFILE, else `default` */
    profile: z.string().min(1).max(128).optional().describe('Profile of the shared AWS config files for the default credential chain; default AWS_PROFILE, else default.'),
    /** Explicit access key id. @default the default provider chain */
    accessKeyId: z.string().min(1).optional().describe('Explicit access key id; without it the default credential chain is used.'),
    /** Secret, along with accessKeyId. */
    secretAccessKey: z.string().min(1).optional().describe('Secret access key, along with accessKeyId.'),
    /** Secret, for temporary credentials given explicitly. */
    sessionToken: z.string().min(1).optional().describe('Session token of explicit temporary keys.'),
  })
  .superRefine((config, ctx) => {
    if (!resolveRegion(config)) ctx.addIssue({ code: 'custom', path: ['region'], message: 'expected a region (or the AWS_REGION environment variable)' });
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
  });

export type AwsMlConfig = z.infer<typeof awsMlConfigSchema>;

export interface AwsMlSettings {
  region: string | null;
  endpoint: string | null;
  /** Explicit keys, or a profile (or nothing) for the default provider chain. */
  credentials: AwsCredentialSettings;
}

type ConfigFields = Pick<AwsMlConfig, 'region' | 'endpoint' | 'profile' | 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>;

/** Config first, then the standard environment variable. */
function resolveRegion(config: Pick<AwsMlConfig, 'region'>, env: NodeJS.ProcessEnv = process.env): string | null {
  return config.region ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || null);
}

/**
 * Region and endpoint from config, then the environment. Credentials are what the entry names;
 * anything else (environment keys included) is the provider chain's to find, so a config key is
 * never paired with another account's session token.
 */
export function resolveAwsMlSettings(config: ConfigFields, env: NodeJS.ProcessEnv = process.env): AwsMlSettings {
  const region = resolveRegion(config, env);
  const credentials: AwsCredentialSettings =
    config.accessKeyId && config.secretAccessKey
      ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, sessionToken: config.sessionToken }
      : { profile: config.profile };
  const endpoint = config.endpoint ?? (region ? `https://machinelearning.${region}.amazonaws.com` : null);
  return { region, endpoint, credentials };
}
