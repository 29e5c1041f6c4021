import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapSlvBatch, mapStep, slvNativeStatus, slvState } from './map.js';
import { slvBatchResultSchema, type SlvBatchResult } from './wire.js';

const fixture = JSON.parse(readFileSync(new URL('../../../test/fixtures/slv-get-batch-result.json', import.meta.url), 'utf8')) as unknown;
const seed = slvBatchResultSchema.parse(fixture);

const batch = (overrides: Partial<SlvBatchResult>): SlvBatchResult => ({
  batchId: '1481018818069',
  batchProgressMessage: null,
  batchProgressValue: -1,
  batchRunning: true,
  cancelRequested: false,
  cancelled: false,
  errorCode: '0',
  errorCodeLabel: null,
  message: null,
  status: 'OK',
  statusError: false,
  statusOk: true,
  value: { errorMessagesCount: 0, infoMessagesCount: 0, login: 'admin', status: 0, stepResults: [], warningMessagesCount: 0 },
  ...overrides,
});

describe('mapSlvBatch', () => {
  it('maps the reference getBatchResult sample exactly', () => {
    const finishedAt = new Date('2016-12-06T09:40:00Z');
    const mapped = mapSlvBatch(seed, { backendId: 'lights', name: null, finishedAt });
    const info = (text: string) => ({ severity: 'INFO', status: 0, statusText: 'OK', text });
    expect(mapped).toEqual({
      backendId: 'lights',
      nativeId: '1481016600181',
      name: null,
      state: 'SUCCEEDED',
      nativeStatus: 'OK',
      progress: { percent: 100, completedItems: null, totalItems: null, failedItems: null, message: 'Commissioning process finished.' },
      createdAt: new Date(1481016600181),
      startedAt: new Date(1481016600181),
      finishedAt,
      observedTimes: ['finishedAt'],
      executions: [
        {
          index: 0,
          state: 'SUCCEEDED',
          response: { statusCode: 200, headers: null, body: (fixture as { value: unknown }).value },
          artifacts: [],
          steps: [
            {
              name: 'check',
              label: 'Check database configuration',
              status: 'OK',
              messages: [info('Inventory has been checked in the database and is consistent')],
              infoCount: 1,
              warningCount: 0,
              errorCount: 0,
            },
            {
              name: 'commissioning',
              label: 'Commissioning',
              status: 'OK',
              messages: [
                info("Devices configs are pushed using mode 'LIST'."),
                info('2 devices in list. 2 were pushed. 0 were ignored and 0 were not pushed because not found on controller.'),
                info('All messages and configuration data have been sent and accepted by the controller'),
              ],
              infoCount: 3,
              warningCount: 0,
              errorCount: 0,
            },
          ],
        },
      ],
      error: null,
    });
    const messages = mapped.executions[0]?.steps.flatMap((step) => step.messages) ?? [];
    expect(messages.filter((message) => message.severity === 'INFO')).toHaveLength(4);
  });

  it('maps the start answer (progress -1) to QUEUED with an unknown percent', () => {
    const mapped = mapSlvBatch(batch({}), { backendId: 'lights', name: 'commissionControllerAsync' });
    expect(mapped).toMatchObject({ state: 'QUEUED', nativeStatus: 'RUNNING', name: 'commissionControllerAsync', finishedAt: null });
    expect(mapped.progress.percent).toBeNull();
    expect(mapped.executions[0]?.steps).toEqual([]);
  });

  it('keeps a numeric batchId as its decimal string', () => {
    expect(mapSlvBatch(batch({ batchId: 1481018818069 }), { backendId: 'x' }).nativeId).toBe('1481018818069');
  });

  it('leaves createdAt empty when the id does not look like epoch milliseconds', () => {
    expect(mapSlvBatch(batch({ batchId: '42' }), { backendId: 'x' }).createdAt).toBeNull();
  });

  it('reports a failed batch with the upstream code and message', () => {
    const failed = batch({
      batchRunning: false,
      batchProgressValue: 100,
      status: 'ERROR',
      statusError: true,
      statusOk: false,
      errorCode: '500',
      errorCodeLabel: 'Controller not reachable',
      message: "Controller 'c' did not answer",
    });
    const mapped = mapSlvBatch(failed, { backendId: 'x' });
    expect({ state: mapped.state, nativeStatus: mapped.nativeStatus, error: mapped.error }).toEqual({
      state: 'FAILED',
      nativeStatus: 'ERROR',
      error: { code: '500', message: "Controller 'c' did not answer" },
    });
  });
});

describe('slvState and slvNativeStatus', () => {
  const cases: Array<[string, Partial<SlvBatchResult>, string, string]> = [
    ['running with known progress', { batchProgressValue: 30 }, 'RUNNING', 'RUNNING'],
    ['running with a cancel order', { batchProgressValue: 30, cancelRequested: true }, 'CANCELLING', 'CANCELREQUESTED'],
    ['cancelled', { batchRunning: false, cancelRequested: true, cancelled: true }, 'CANCELLED', 'CANCELLED'],
    ['stopped and OK', { batchRunning: false, batchProgressValue: 100 }, 'SUCCEEDED', 'OK'],
    ['stopped with statusError only', { batchRunning: false, status: null, statusOk: null, statusError: true }, 'FAILED', 'ERROR'],
  ];
  for (const [what, overrides, state, nativeStatus] of cases) {
    it(`maps a batch ${what} to ${state}`, () => {
      expect([slvState(batch(overrides)), slvNativeStatus(batch(overrides))]).toEqual([state, nativeStatus]);
    });
  }
});

describe('mapStep', () => {
  const ok = { status: 0, statusText: 'OK', text: 'pushed' };
  const warning = { status: 1, statusText: 'WARNING', text: 'not found' };
  const error = { status: 2, statusText: 'ERROR', text: 'unreachable' };

  it('takes each message once, with the severity of the list it came in, in the order of messages', () => {
    const step = mapStep({
      stepName: 'commissioning',
      stepLabel: 'Commissioning',
      status: 2,
      messages: [warning, ok, error],
      infoMessages: [ok],
      warningMessages: [warning],
      errorMessages: [error],
    });
    expect(step.messages.map((message) => [message.severity, message.text])).toEqual([
      ['WARNING', 'not found'],
      ['INFO', 'pushed'],
      ['ERROR', 'unreachable'],
    ]);
    expect({ status: step.status, info: step.infoCount, warnings: step.warningCount, errors: step.errorCount }).toEqual({
      status: 'ERROR',
      info: 1,
      warnings: 1,
      errors: 1,
    });
  });

  it('keeps messages found in only one of messages or the severity lists', () => {
    const step = mapStep({ stepName: 's', messages: [{ status: 1, statusText: 'WARNING', text: 'only here' }], errorMessages: [error] });
    expect(step.messages.map((message) => [message.severity, message.text])).toEqual([
      ['WARNING', 'only here'],
      ['ERROR', 'unreachable'],
    ]);
  });

  it('marks a step with warnings but no errors as WARNING', () => {
    expect(mapStep({ stepName: 's', status: 1, messages: [ok, warning], infoMessages: [ok], warningMessages: [warning] }).status).toBe('WARNING');
  });
});
