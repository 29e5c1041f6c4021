import { z } from 'zod';

/**
 * SLV's native wire shapes (see docs/backends/slv.md §4–5). The schemas are loose on
 * purpose: SLV versions add fields, and a field we do not read must never fail a poll. They only
 * insist on what the mapping cannot do without.
 */

const nullableString = z.string().nullish();
const nullableCount = z.number().nullish();

/** One message of a step (`{status, statusText, text}`). */
const slvMessageSchema = z.looseObject({
  status: z.number().nullish(),
  statusText: nullableString,
  text: nullableString,
});
export type SlvMessage = z.infer<typeof slvMessageSchema>;

const messageList = z.array(slvMessageSchema).nullish();

/** How many messages of each severity a step, or the whole batch, has. */
const messageCounts = {
  infoMessagesCount: nullableCount,
  warningMessagesCount: nullableCount,
  errorMessagesCount: nullableCount,
};

/** One entry of `value.stepResults`. */
const slvStepResultSchema = z.looseObject({
  stepName: nullableString,
  stepLabel: nullableString,
  label: nullableString,
  status: z.number().nullish(),
  messages: messageList,
  infoMessages: messageList,
  warningMessages: messageList,
  errorMessages: messageList,
  ...messageCounts,
});
export type SlvStepResult = z.infer<typeof slvStepResultSchema>;

/** `value` of a commissioning or import batch. */
export const slvBatchValueSchema = z.looseObject({
  ...messageCounts,
  login: nullableString,
  status: z.number().nullish(),
  stepResults: z.array(slvStepResultSchema).nullish(),
});
export type SlvBatchValue = z.infer<typeof slvBatchValueSchema>;

/** `errorCode` is a string on the wire ("0"), but numbers are accepted too. */
const errorCodeSchema = z.union([z.string(), z.number()]).nullish();

/** The generic result envelope every SLV API call answers with (`SLVResult`). */
export const slvEnvelopeSchema = z.looseObject({
  errorCode: errorCodeSchema,
  errorCodeLabel: nullableString,
  message: nullableString,
  status: nullableString,
  statusError: z.boolean().nullish(),
  statusOk: z.boolean().nullish(),
  value: z.unknown().optional(),
});
export type SlvEnvelope = z.infer<typeof slvEnvelopeSchema>;

/**
 * A batch (`SLVBatchResult`): the answer of every `…Async` start call and of `getBatchResult`.
 * `batchId` is a string in JSON although SLV documents it as an int; both are accepted.
 */
export const slvBatchResultSchema = slvEnvelopeSchema.extend({
  batchId: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]),
  batchProgressMessage: nullableString,
  batchProgressValue: z.number().nullish(),
  batchRunning: z.boolean().nullish(),
  cancelRequested: z.boolean().nullish(),
  cancelled: z.boolean().nullish(),
});
export type SlvBatchResult = z.infer<typeof slvBatchResultSchema>;

/** The SLV method each start operation calls (also the batch's `name`). */
export const SLV_START_METHODS = {
  commissionController: 'commissionControllerAsync',
  commissionDevices: 'commissionControllerDevicesListAsync',
  importDevicesCsv: 'importDevicesFromCsvFileAsync',
} as const;

/**
 * How a batch id the server does not know is signalled. Undocumented upstream
 * (docs/backends/slv.md §9, question 4), so this is our decision, shared by emulator and client: the usual
 * `SLVResult` error envelope (HTTP 200, `status: "ERROR"`) with this `errorCode`. The client also
 * recognises a message/label that says the batch is unknown, in case a real server words it so.
 */
export const SLV_UNKNOWN_BATCH_ERROR_CODE = '604';

/**
 * How a server without the (inferred) cancel method refuses it: a servlet container's 404, or the
 * API's own error envelope with this code. Either way the connector answers UNSUPPORTED.
 */
export const SLV_UNKNOWN_METHOD_ERROR_CODE = '601';

/** The start input of kind `slv`: one of the asynchronous batch operations. */
export type SlvStartInput =
  | { kind: 'slv'; operation: 'commissionController'; controllerStrId: string; flags: number }
  | { kind: 'slv'; operation: 'commissionDevices'; controllerStrId: string; idOnController: string[] }
  | { kind: 'slv'; operation: 'importDevicesCsv'; csv: string };

/** Validates this kind's `StartBatchInput.slv` at the GraphQL edge: exactly one operation. */
export const slvStartInputSchema = z
  .object({
    commissionController: z.object({ controllerStrId: z.string().min(1).max(256), flags: z.number().int().min(0).max(0xffff) }).nullish(),
    commissionDevices: z
      .object({ controllerStrId: z.string().min(1).max(256), idOnController: z.array(z.string().min(1).max(256)).min(1).max(10_000) })
      .nullish(),
    importDevicesCsv: z.object({ csv: z.string().min(1).max(5_000_000) }).nullish(),
  })
  .refine((value) => [value.commissionController, value.commissionDevices, value.importDevicesCsv].filter(Boolean).length === 1, {
    message: 'expected exactly one of commissionController, commissionDevices, importDevicesCsv',
  })
  .transform(({ commissionController, commissionDevices, importDevicesCsv }): SlvStartInput => {
    if (commissionController) return { kind: 'slv', operation: 'commissionController', ...commissionController };
    if (commissionDevices) return { kind: 'slv', operation: 'commissionDevices', ...commissionDevices };
    return { kind: 'slv', operation: 'importDevicesCsv', csv: importDevicesCsv!.csv };
  });
