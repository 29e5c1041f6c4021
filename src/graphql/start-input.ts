import { z } from 'zod';
import { ErrorCode, GatewayError } from '../core/errors.js';
import type { BackendKind, StartInput } from '../core/model.js';
import type { StartBatchInput } from '../generated/graphql.js';

/** The kind-specific part of `StartBatchInput`, validated once at the edge. */
const azureMl = z.object({
  service: z.string().min(1).max(256),
  version: z.string().min(1).max(64),
  records: z.array(z.record(z.string(), z.unknown()), { message: 'expected a list of JSON objects' }).min(1).max(100_000),
  parallelCount: z.number().int().min(1).max(1000).nullish(),
});
const awsMl = z.object({
  mlModelId: z.string().min(1).max(64),
  dataSourceId: z.string().min(1).max(64),
  outputUri: z.string().regex(/^s3:\/\/[^/]+/, { message: 'expected an s3:// URI' }).max(2048),
  name: z.string().max(1024).nullish(),
  batchPredictionId: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,64}$/, { message: 'expected 1 to 64 of [a-zA-Z0-9_.-]' })
    .nullish(),
});
const slv = z
  .object({
    commissionController: z.object({ controllerStrId: z.string().min(1).max(256), flags: z.number().int().min(0).max(0xffff) }).nullish(),
    commissionDevices: z
      .object({ controllerStrId: z.string().min(1).max(256), idOnController: z.array(z.string().min(1).max(256)).min(1).max(10_000) })
      .nullish(),
    importDevicesCsv: z.object({ csv: z.string().min(1).max(5_000_000) }).nullish(),
  })
  .refine((value) => [value.commissionController, value.commissionDevices, value.importDevicesCsv].filter(Boolean).length === 1, {
    message: 'expected exactly one of commissionController, commissionDevices, importDevicesCsv',
  });

const FIELD_BY_KIND: Record<BackendKind, 'azureMl' | 'awsMl' | 'slv'> = { azureml: 'azureMl', awsml: 'awsMl', slv: 'slv' };

export function parseStartInput(input: StartBatchInput, kind: BackendKind, backend: string): StartInput {
  const field = FIELD_BY_KIND[kind];
  const given = (['azureMl', 'awsMl', 'slv'] as const).filter((name) => input[name] != null);
  if (given.length !== 1 || given[0] !== field) {
    throw new GatewayError(ErrorCode.BAD_USER_INPUT, `Backend "${backend}" is of kind ${kind}: give exactly one of the inputs, "${field}"`, {
      backend,
      extensions: { field: `input.${field}` },
    });
  }
  const fail = (error: z.ZodError): never => {
    const issue = error.issues[0]!;
    const path = ['input', field, ...issue.path].join('.');
    throw new GatewayError(ErrorCode.BAD_USER_INPUT, `${path}: ${issue.message}`, { backend, extensions: { field: path } });
  };
  switch (kind) {
    case 'azureml': {
      const parsed = azureMl.safeParse(input.azureMl);
      if (!parsed.success) return fail(parsed.error);
      const { service, version, records, parallelCount } = parsed.data;
      return { kind, service, version, records, parallelCount: parallelCount ?? 10 };
    }
    case 'awsml': {
      const parsed = awsMl.safeParse(input.awsMl);
      if (!parsed.success) return fail(parsed.error);
      const { mlModelId, dataSourceId, outputUri, name, batchPredictionId } = parsed.data;
      return { kind, mlModelId, dataSourceId, outputUri, name: name ?? null, batchPredictionId: batchPredictionId ?? null };
    }
    case 'slv': {
      const parsed = slv.safeParse(input.slv);
      if (!parsed.success) return fail(parsed.error);
      const { commissionController, commissionDevices, importDevicesCsv } = parsed.data;
      if (commissionController) return { kind, operation: 'commissionController', ...commissionController };
      if (commissionDevices) return { kind, operation: 'commissionDevices', ...commissionDevices };
      return { kind, operation: 'importDevicesCsv', csv: importDevicesCsv!.csv };
    }
    default: {
      const exhaustive: never = kind;
      throw new Error(`Unknown backend kind ${String(exhaustive)}`);
    }
  }
}
