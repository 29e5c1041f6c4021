import type { BackendModule } from '../../core/module.js';
import { slvConfigSchema, SLV_SECRET_FIELDS, type SlvConfig } from './config.js';
import { createSlvConnector } from './connector.js';
import { startSlvEmulator } from './emulator/server.js';

export type { SlvConfig } from './config.js';
export type { SlvEmulatorHandle, SlvEmulatorOptions, SlvCancelSupport, SlvUnknownBatchAnswer } from './emulator/server.js';
export { startSlvEmulator } from './emulator/server.js';

/** The SLV (Streetlight.Vision CMS) backend: asynchronous commissioning and CSV-import batches. */
export const slvModule: BackendModule<SlvConfig> = {
  kind: 'slv',
  graphqlKind: 'SLV',
  configSchema: slvConfigSchema,
  secretFields: SLV_SECRET_FIELDS,
  create: (config, context) => createSlvConnector(config, context),
  startEmulator: (options) => startSlvEmulator(options),
  // Three steps of three ticks: done within a dozen ticks.
  sampleStartInput: () => ({ kind: 'slv', operation: 'commissionController', controllerStrId: 'demo-controller-01', flags: 5 }),
  // SLV cannot list batches, so the embedded default starts these through the gateway, which remembers them.
  demoStartInputs: () => [
    { kind: 'slv', operation: 'commissionController', controllerStrId: 'paris-lamps-ctrl-07', flags: 7 },
    { kind: 'slv', operation: 'commissionDevices', controllerStrId: 'lyon-ctrl-02', idOnController: ['lamp-001', 'missing-lamp-002', 'lamp-003'] },
    { kind: 'slv', operation: 'commissionController', controllerStrId: 'offline-ctrl-13', flags: 5 },
    { kind: 'slv', operation: 'importDevicesCsv', csv: 'idOnController,controllerStrId,name\nlamp-101,paris-lamps-ctrl-07,Rue de Rivoli 1\nlamp-102,paris-lamps-ctrl-07,Rue de Rivoli 3\n' },
  ],
};
