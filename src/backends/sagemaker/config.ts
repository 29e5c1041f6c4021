import { z } from 'zod';
import { awsCredentialFields, checkAwsCredentialFields } from '../../lib/aws.js';
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
    ...awsCredentialFields,
    /** Service endpoint. @default `https://api.sagemaker.<region>.amazonaws.com` (the SDK's own) */
    endpoint: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional(),
    /**
     * Scopes this backend to the transform jobs whose names contain this text (one team's jobs in a
     * shared account). Names the gateway makes up start with it, so its own jobs stay visible.
     */
    nameContains: z
      .string()
      .regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,19}$/, { message: 'expected up to 20 of [a-zA-Z0-9-], starting and ending with a letter or digit' })
      .optional(),
  })
  .superRefine(checkAwsCredentialFields);

export type SageMakerConfig = z.infer<typeof sageMakerConfigSchema>;

/** The endpoint shown as `Backend.url`: the configured one, else the service's public one. */
export function displayEndpoint(config: Pick<SageMakerConfig, 'endpoint'>, region: string): string {
  return config.endpoint ?? `https://api.sagemaker.${region}.amazonaws.com`;
}
