import { z } from 'zod';
import { backendIdSchema } from '../module.js';

/** One `kind: slv` entry of the config file. */
export const slvConfigSchema = z.object({
  id: backendIdSchema,
  kind: z.literal('slv'),
  /** SLV base URL including the webapp path; `…/api/…` is appended (e.g. `http://host:8080/reports`). */
  url: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL such as http://127.0.0.1:8081/reports' }),
  /** CMS user login (HTTP Basic). */
  username: z.string().min(1, { message: 'expected a non-empty user name' }),
  /** CMS user password. A secret: never logged or returned. */
  password: z.string(),
  /** `basic`: HTTP Basic on every call. `form`: a form login (`j_security_check`) per session, renewed when it expires. */
  auth: z.enum(['basic', 'form']).default('basic'),
  /** A batch SLV answers about this many times in a row without knowing it is reported gone (docs/backends/slv.md). */
  forgottenAfterAnswers: z.number().int().min(1).default(5),
  /** Or once SLV has answered about it without knowing it for this long, in ms. */
  forgottenAfterMs: z.number().int().min(0).default(300_000),
});

export type SlvConfig = z.infer<typeof slvConfigSchema>;

/** Config fields that are secrets. */
export const SLV_SECRET_FIELDS = ['password'] as const;
