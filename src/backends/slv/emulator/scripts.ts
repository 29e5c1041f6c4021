import type { BatchScript, ScriptStep } from './engine.js';

/**
 * What each start operation does in the emulator, as a script for the engine. The outcome follows
 * from the input, so tests and demos can ask for every ending:
 * - a `controllerStrId` starting with `offline` → the controller does not answer: the batch FAILS;
 * - an `idOnController` starting with `missing` → "not found on controller" warnings (SUCCEEDED);
 * - CSV rows with fewer columns than the header → warnings; a CSV without rows → the batch FAILS.
 * Message texts follow the seed sample (docs/backends/slv.md §5b) where one exists.
 */

export interface ScriptOptions {
  /** Who started it (`value.login`). */
  login: string;
  /** Ticks per step; demos use many so progress is visible for minutes. @default 3 */
  ticksPerStep?: number;
}

const FAILURE = (controllerStrId: string) => ({
  errorCode: '500',
  errorCodeLabel: 'Controller not reachable',
  message: `Controller '${controllerStrId}' did not answer; commissioning aborted.`,
});

const isOffline = (controllerStrId: string) => /^offline/i.test(controllerStrId);

const checkStep = (ticks: number): ScriptStep => ({
  name: 'check',
  label: 'Check database configuration',
  ticks,
  progressMessage: 'Checking database configuration...',
  messages: [{ severity: 'info', text: 'Inventory has been checked in the database and is consistent' }],
});

/** `commissionControllerAsync`: flags 1 = controller config, 2 = calendars and schedules, 4 = devices. */
export function commissionControllerScript(controllerStrId: string, flags: number, options: ScriptOptions): BatchScript {
  const ticks = options.ticksPerStep ?? 3;
  const steps: ScriptStep[] = [checkStep(ticks)];
  const offline = isOffline(controllerStrId);
  const unreachable: ScriptStep['messages'] = [{ severity: 'error', text: `Controller '${controllerStrId}' is not reachable` }];
  if (flags & 1) {
    steps.push({
      name: 'controllerConfig',
      label: 'Controller configuration',
      ticks,
      progressMessage: `Sending configuration to controller '${controllerStrId}'...`,
      messages: offline ? unreachable : [{ severity: 'info', text: 'Controller configuration has been sent and accepted by the controller' }],
    });
  }
  if (flags & 2 && !offline) {
    steps.push({
      name: 'calendars',
      label: 'Calendars and schedules',
      ticks,
      progressMessage: 'Pushing calendars and schedules...',
      messages: [{ severity: 'info', text: 'Calendars and schedules have been sent and accepted by the controller' }],
    });
  }
  if (flags & 4 && !(offline && flags & 1)) {
    steps.push({
      name: 'commissioning',
      label: 'Commissioning',
      ticks,
      progressMessage: 'Commissioning devices...',
      messages: offline
        ? unreachable
        : [
            { severity: 'info', text: "Devices configs are pushed using mode 'ALL'." },
            { severity: 'info', text: 'All messages and configuration data have been sent and accepted by the controller' },
          ],
    });
  }
  return {
    steps,
    finishMessage: offline ? 'Commissioning process failed.' : 'Commissioning process finished.',
    failure: offline ? FAILURE(controllerStrId) : null,
    login: options.login,
  };
}

/** `commissionControllerDevicesListAsync`: pushes the listed devices' configs. */
export function commissionDevicesScript(controllerStrId: string, ids: readonly string[], options: ScriptOptions): BatchScript {
  const ticks = options.ticksPerStep ?? 3;
  const offline = isOffline(controllerStrId);
  const missing = ids.filter((id) => /^missing/i.test(id));
  const pushed = offline ? 0 : ids.length - missing.length;
  const messages: ScriptStep['messages'] = [
    { severity: 'info', text: "Devices configs are pushed using mode 'LIST'." },
    ...(offline ? [{ severity: 'error' as const, text: `Controller '${controllerStrId}' is not reachable` }] : []),
    {
      severity: 'info',
      text: `${ids.length} devices in list. ${pushed} were pushed. 0 were ignored and ${offline ? 0 : missing.length} were not pushed because not found on controller.`,
    },
    ...(offline ? [] : missing.map((id) => ({ severity: 'warning' as const, text: `Device '${id}' was not found on controller '${controllerStrId}'` }))),
    ...(pushed > 0 ? [{ severity: 'info' as const, text: 'All messages and configuration data have been sent and accepted by the controller' }] : []),
  ];
  return {
    steps: [
      checkStep(ticks),
      { name: 'commissioning', label: 'Commissioning', ticks: ticks * 2, progressMessage: `Commissioning ${ids.length} devices...`, messages },
    ],
    finishMessage: offline ? 'Commissioning process failed.' : 'Commissioning process finished.',
    failure: offline ? FAILURE(controllerStrId) : null,
    login: options.login,
  };
}

/** `importDevicesFromCsvFileAsync`: the first line names the columns, each further line is a device. */
export function importCsvScript(csv: string, options: ScriptOptions): BatchScript {
  const ticks = options.ticksPerStep ?? 3;
  const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(/[;,]/);
  const rows = lines.slice(1);
  const bad = rows.flatMap((row, at) => (row.split(/[;,]/).length < header.length ? [at + 2] : []));
  const readStep: ScriptStep = {
    name: 'read',
    label: 'Read CSV file',
    ticks,
    progressMessage: 'Reading CSV file...',
    messages:
      rows.length === 0
        ? [{ severity: 'error', text: 'The CSV file contains no device line' }]
        : [{ severity: 'info', text: `${rows.length} device lines read, ${header.length} columns` }],
  };
  if (rows.length === 0) {
    return {
      steps: [readStep],
      finishMessage: 'Import failed.',
      failure: { errorCode: '400', errorCodeLabel: 'Invalid file', message: 'The CSV file contains no device line.' },
      login: options.login,
    };
  }
  const imported = rows.length - bad.length;
  return {
    steps: [
      readStep,
      {
        name: 'import',
        label: 'Import devices',
        ticks: Math.max(ticks, Math.min(ticks * 10, rows.length)),
        progressMessage: `Importing ${rows.length} devices...`,
        messages: [
          ...bad.map((line) => ({ severity: 'warning' as const, text: `Line ${line}: fewer columns than the header; line ignored` })),
          { severity: 'info' as const, text: `${imported} devices imported, ${bad.length} ignored` },
        ],
      },
    ],
    finishMessage: 'Import finished.',
    failure: null,
    login: options.login,
  };
}
