import { AwsJsonFault } from '../../emulator-kit/aws/json-protocol.js';

/**
 * How the emulator reads request members and refuses them, as Amazon ML does: every refusal is an
 * `AwsFault` carrying the exception name the SDK turns into its typed error.
 */

/** An Amazon ML error answer. */
export class AwsFault extends AwsJsonFault {
  constructor(
    status: number,
    type: string,
    message: string,
    /** The numeric `code` member some exceptions carry. */
    readonly code: number | null = null,
  ) {
    super(status, type, message);
    this.name = 'AwsFault';
  }
}

/** Ids of every Amazon ML entity: `[a-zA-Z0-9_.-]+`, at most 64 characters. */
const ID_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;

/** The IAM user every emulated entity was created by. */
export const IAM_USER = 'arn:aws:iam::000000000000:user/batchgate-emulator';

export function invalid(message: string): AwsFault {
  return new AwsFault(400, 'InvalidInputException', message, 400);
}

export function notFound(entity: string, id: string): AwsFault {
  return new AwsFault(400, 'ResourceNotFoundException', `No ${entity} with id ${id} exists`, 404);
}

export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(`${name} is required and must be a string`);
  return value;
}

export function optionalString(value: unknown, name: string): string | null {
  return value === undefined || value === null ? null : requireString(value, name);
}

export function requireId(value: unknown, name: string): string {
  const id = requireString(value, name);
  if (!ID_PATTERN.test(id)) throw invalid(`${name} must match [a-zA-Z0-9_.-]+ and be at most 64 characters`);
  return id;
}

/** A small stable hash, to vary scripted numbers by id. */
export function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (h * 31 + char.charCodeAt(0)) >>> 0;
  return h;
}
