import { z } from 'zod';
import { backendIdSchema } from '../module.js';

/** This folder's kind, as spelled in config files. */
export const SAGEMAKER_KIND = 'sagemaker';

/**
 * The `sagemaker` config entry. Credentials are optional: without keys the SDK's default provider
 * chain is used (environment, shared config/credentials files with `profile`, SSO, web identity,
 * container and instance roles), so nothing secret needs to be written in the config file.
 */
export const sageMakerConfigSchema = z
  .object({
    id: backendIdSchema,
    kind: z.literal('sagemaker'),
    /** AWS region, e.g. `eu-west-1`. @default process.env.AWS_REGION */
    region: z.string().regex(/^[a-z0-9-]+$/, { message: 'expected an AWS region such as eu-west-1' }).optional(),
    /** Service endpoint. @default `https://api.sagemaker.<region>.amazonaws.com` (the SDK's own) */
    endpoint: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional(),
    /** Named profile of the shared AWS config files, for the default provider chain. */
    profile: z.string().min(1).max(128).optional(),
    accessKeyId: z.string().min(1).optional(),
    /** Secret. */
    secretAccessKey: z.string().min(1).optional(),
    /** Secret, for temporary credentials. */
    sessionToken: z.string().min(1).optional(),
    /**
     * Scopes this backend to the transform jobs whose names contain this text (one team's jobs in a
     * shared account). Names the gateway makes up start with it, so its own jobs stay visible.
     */
    nameContains: z
      .string()
      .regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,19}$/, { message: 'expected up to 20 of [a-zA-Z0-9-], starting and ending with a letter or digit' })
      .optional(),
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

export type SageMakerConfig = z.infer<typeof sageMakerConfigSchema>;

/** Config first, then the standard environment variables. */
export function resolveRegion(config: Pick<SageMakerConfig, 'region'>, env: NodeJS.ProcessEnv = process.env): string | null {
  return config.region ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || null);
}

/** The endpoint shown as `Backend.url`: the configured one, else the service's public one. */
export function displayEndpoint(config: Pick<SageMakerConfig, 'endpoint'>, region: string): string {
  return config.endpoint ?? `https://api.sagemaker.${region}.amazonaws.com`;
}
