import { textField } from '../start-form.js';
import { backendGraphQL, defineBackend } from '../module.js';
import { slvConfigSchema, SLV_SECRET_FIELDS } from './config.js';
import { createSlvConnector } from './connector.js';
import { startSlvEmulator } from './emulator/server.js';
import { slvStartInputSchema, type SlvStartInput } from './wire.js';

export type { SlvEmulatorHandle,    } from './emulator/server.js';
export { startSlvEmulator } from './emulator/server.js';

// Three steps of three ticks: done within a dozen ticks.
const sample: SlvStartInput = { kind: 'slv', operation: 'commissionController', controllerStrId: 'demo-controller-01', flags: 5 };

// SLV cannot list batches, so the embedded default starts these through the gateway, which remembers them.
const demo: SlvStartInput[] = [
  { kind: 'slv', operation: 'commissionController', controllerStrId: 'paris-lamps-ctrl-07', flags: 7 },
  { kind: 'slv', operation: 'commissionDevices', controllerStrId: 'lyon-ctrl-02', idOnController: ['lamp-001', 'missing-lamp-002', 'lamp-003'] },
  { kind: 'slv', operation: 'commissionController', controllerStrId: 'offline-ctrl-13', flags: 5 },
  { kind: 'slv', operation: 'importDevicesCsv', csv: 'idOnController,controllerStrId,name\nlamp-101,paris-lamps-ctrl-07,Rue de Rivoli 1\nlamp-102,paris-lamps-ctrl-07,Rue de Rivoli 3\n' },
];

/** The SLV (Streetlight.Vision CMS) backend: asynchronous commissioning and CSV-import batches. */
export const slvModule = defineBackend({
  kind: 'slv',
  graphql: backendGraphQL('SLV', 'slv', import.meta.url),
  configSchema: slvConfigSchema,
  startInputSchema: slvStartInputSchema,
  secretFields: SLV_SECRET_FIELDS,
  startForm: {
    title: 'SLV',
    legend: 'SLV asynchronous batch',
    operations: {
      label: 'Operation',
      choices: [
        {
          name: 'commissionController',
          fields: [
            textField('controllerStrId', 'Controller id', 'demo-controller-01'),
            { name: 'flags', label: 'Flags (1 configuration, 2 calendars, 4 devices)', type: 'number', min: 1, max: 7, default: 5 },
          ],
        },
        {
          name: 'commissionDevices',
          fields: [
            textField('controllerStrId', 'Controller id', 'demo-controller-01'),
            { name: 'idOnController', label: 'Device ids', type: 'list', rows: 3, default: 'lamp-1, lamp-2, lamp-3', hint: 'Separated by commas or lines.' },
          ],
        },
        {
          name: 'importDevicesCsv',
          fields: [{ name: 'csv', label: 'CSV file content', type: 'textarea', rows: 5, default: 'idOnController;name;lat;lng;model\nlamp-1;Lamp 1;48.85;2.35;LED-70W' }],
        },
      ],
    },
  },
  create: createSlvConnector,
  startEmulator: startSlvEmulator,
  sampleStartInput: () => ({ ...sample }),
  demoStartInputs: () => demo.map((input) => ({ ...input })),
  fixtures: {
    sampleGraphQLInput: () => ({ commissionController: { controllerStrId: sample.controllerStrId, flags: 5 } }),
    echoError: { kind: 'echo', status: 200, body: '{"status":"ERROR","errorCode":"612","errorCodeLabel":"Echo","message":"{{request}}"}' },
    isStartRequest: (request) =>
      request.method === 'POST' && /\/api\/controllermanagement\/commissionController(Devices)?(ListAsync|Async)$|importDevicesFromCsvFileAsync$/.test(request.path),
  },
});
