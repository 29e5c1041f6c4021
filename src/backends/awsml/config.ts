import { z } from 'zod';
import { backendIdSchema } from '../module.js';

/**
 * The `awsml` config entry. Keys and region may come from the standard AWS environment variables when
 * the entry names none, so validation checks both places and names the field that is missing.
 */
export const awsMlConfigSchema = z
  .object({
    id: backendIdSchema,
    kind: z.literal('awsml'),
    /** AWS region, e.g. `eu-west-1`. @default process.env.AWS_REGION */
    region: z.string().regex(/^[a-z0-9-]+$/, { message: 'expected an AWS region such as eu-west-1' }).optional(),
    /** Service endpoint. @default `https://machinelearning.<region>.amazonaws.com` */
    endpoint: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional(),
    /** @default process.env.AWS_ACCESS_KEY_ID (only when the entry names no keys) */
    accessKeyId: z.string().min(1).optional(),
    /** Secret. @default process.env.AWS_SECRET_ACCESS_KEY (only when the entry names no keys) */
    secretAccessKey: z.string().min(1).optional(),
    /** Secret, for temporary credentials. @default process.env.AWS_SESSION_TOKEN (only when the entry names no keys) */
    sessionToken: z.string().min(1).optional(),
  })
  .superRefine((config, ctx) => {
    const resolved = resolveAwsMlSettings(config);
    if (!resolved.region) ctx.addIssue({ code: 'custom', path: ['region'], message: 'expected a region (or the AWS_REGION environment variable)' });
    if (config.accessKeyId && !config.secretAccessKey) {
      ctx.addIssue({ code: 'custom', path: ['secretAccessKey'], message: 'expected a secret access key along with accessKeyId' });
    } else if (!config.accessKeyId && config.secretAccessKey) {
      ctx.addIssue({ code: 'custom', path: ['accessKeyId'], message: 'expected an access key id along with secretAccessKey' });
    } else if (!resolved.credentials) {
      ctx.addIssue({
        code: 'custom',
        path: ['accessKeyId'],
        message: 'expected accessKeyId and secretAccessKey (or the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables)',
      });
    }
  });

export type AwsMlConfig = z.infer<typeof awsMlConfigSchema>;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsMlSettings {
  region: string | null;
  endpoint: string | null;
  credentials: AwsCredentials | null;
}

type ConfigFields = Pick<AwsMlConfig, 'region' | 'endpoint' | 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>;

/**
 * Config first, then the environment. The environment's keys are used only when the entry names no
 * keys at all, so a config key is never paired with another account's session token.
 */
export function resolveAwsMlSettings(config: ConfigFields, env: NodeJS.ProcessEnv = process.env): AwsMlSettings {
  const region = config.region ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || null);
  let credentials: AwsCredentials | null = null;
  if (config.accessKeyId && config.secretAccessKey) {
    credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}) };
  } else if (!config.accessKeyId && !config.secretAccessKey && env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY']) {
    const token = env['AWS_SESSION_TOKEN'];
    credentials = { accessKeyId: env['AWS_ACCESS_KEY_ID'], secretAccessKey: env['AWS_SECRET_ACCESS_KEY'], ...(token ? { sessionToken: token } : {}) };
  }
  const endpoint = config.endpoint ?? (region ? `https://machinelearning.${region}.amazonaws.com` : null);
  return { region, endpoint, credentials };
}
