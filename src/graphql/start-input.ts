import type { z } from 'zod';
import type { BackendModule } from '../backends/module.js';
import { ErrorCode, GatewayError } from '../core/errors.js';
import type { StartInput } from '../core/model.js';
import type { StartBatchInput } from '../generated/graphql.js';

/**
 * The kind-specific part of `StartBatchInput`, validated once at the edge: exactly one of the
 * registered kinds' fields may be given, the backend's own, and its module's schema parses it.
 */
export function parseStartInput(input: StartBatchInput, module: BackendModule, modules: readonly BackendModule[], backend: string): StartInput {
  const field = module.graphql.inputField;
  const values = input as unknown as Record<string, unknown>;
  const given = modules.map((candidate) => candidate.graphql.inputField).filter((name) => values[name] != null);
  if (given.length !== 1 || given[0] !== field) {
    throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Backend "${backend}" is of kind ${module.kind}: give exactly one of the inputs, "${field}"`, {
      backend,
      extensions: { field: `input.${field}` },
    });
  }
  const parsed = module.startInputSchema.safeParse(values[field]);
  if (parsed.success) return parsed.data;
  const issue = (parsed.error as z.ZodError).issues[0]!;
  const path = ['input', field, ...issue.path.map(String)].join('.');
  throw new GatewayError(ErrorCode.BAD_USER_INPUT, `${path}: ${issue.message}`, { backend, extensions: { field: path } });
}
