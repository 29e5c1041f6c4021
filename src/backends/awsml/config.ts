import { z } from 'zod';
import { awsCredentialFields, checkAwsCredentialFields, resolveAwsRegion, type AwsCredentialSettings } from '../../lib/aws.js';
import { backendIdSchema } from '../module.js';

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
    ...awsCredentialFields,
    /** Service endpoint. @default `https://machinelearning.<region>.amazonaws.com` */
    endpoint: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional().describe('Service endpoint; default https://machinelearning.<region>.amazonaws.com.'),
  })
  .superRefine(checkAwsCredentialFields);

export type AwsMlConfig = z.infer<typeof awsMlConfigSchema>;

export interface AwsMlSettings {
  region: string | null;
  endpoint: string | null;
  /** Explicit keys, or a profile (or nothing) for the default provider chain. */
  credentials: AwsCredentialSettings;
}

type ConfigFields = Pick<AwsMlConfig, 'region' | 'endpoint' | 'profile' | 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>;

/**
 * Region and endpoint from config, then the environment. Credentials are what the entry names;
 * anything else (environment keys included) is the provider chain's to find, so a config key is
 * never paired with another account's session token.
 */
export function resolveAwsMlSettings(config: ConfigFields, env: NodeJS.ProcessEnv = process.env): AwsMlSettings {
  const region = resolveAwsRegion(config, env);
  const credentials: AwsCredentialSettings =
    config.accessKeyId && config.secretAccessKey
      ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, sessionToken: config.sessionToken }
      : { profile: config.profile };
  const endpoint = config.endpoint ?? (region ? `https://machinelearning.${region}.amazonaws.com` : null);
  return { region, endpoint, credentials };
}
