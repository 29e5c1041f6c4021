import type { DashboardApi } from './api.js';
import { DashboardApiError } from './api.js';
import { h, replaceChildren } from './dom.js';
import { splitList } from './format.js';
import { START_MUTATION } from './queries.js';
import type { BackendKind, BackendView, BatchSummary } from './types.js';

export interface StartFormOptions {
  api: DashboardApi;
  onStarted(batch: BatchSummary): void;
}

export interface StartForm {
  setBackends(backends: readonly BackendView[]): void;
  show(): void;
}

/**
 * The "Start a batch" dialog: pick a backend, fill the form of its kind. Defaults are inputs the
 * built-in emulators accept, so the embedded demo can be tried without looking anything up.
 */
export function createStartForm(dialog: HTMLDialogElement, options: StartFormOptions): StartForm {
  let backends: readonly BackendView[] = [];
  const backendSelect = h('select', { id: 'start-backend', name: 'backend', required: true });
  const fields = h('div', { class: 'kind-fields' });
  const status = h('p', { role: 'status', class: 'form-status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Start');
  const form = h(
    'form',
    { method: 'dialog', 'aria-labelledby': 'start-title' },
    h('h2', { id: 'start-title' }, 'Start a batch'),
    h('p', { class: 'field' }, h('label', { for: 'start-backend' }, 'Backend'), backendSelect),
    fields,
    status,
    h('div', { class: 'buttons' }, h('button', { type: 'button', onclick: () => dialog.close() }, 'Close'), submit),
  );
  dialog.append(form);
  backendSelect.addEventListener('change', () => renderFields());

  const selected = (): BackendView | undefined => backends.find((backend) => backend.id === backendSelect.value);

  function renderFields(): void {
    const backend = selected();
    replaceChildren(fields, backend ? kindFields(backend.kind) : null);
    status.textContent = '';
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const backend = selected();
    if (!backend) return;
    let input: Record<string, unknown>;
    try {
      input = { backend: backend.id, ...readKindInput(backend.kind, new FormData(form)) };
    } catch (error) {
      status.textContent = (error as Error).message;
      status.className = 'form-status error-box';
      return;
    }
    submit.disabled = true;
    status.className = 'form-status';
    status.textContent = 'Starting…';
    options.api
      .query<{ startBatch: { batch: BatchSummary } }>(START_MUTATION, { input })
      .then(({ data }) => {
        options.onStarted(data.startBatch.batch);
        dialog.close();
      })
      .catch((error: unknown) => {
        status.className = 'form-status error-box';
        status.textContent = error instanceof DashboardApiError ? `${error.code}: ${error.message}` : String(error);
      })
      .finally(() => {
        submit.disabled = false;
      });
  });

  return {
    setBackends(next) {
      backends = next;
      const previous = backendSelect.value;
      replaceChildren(backendSelect, ...next.map((backend) => h('option', { value: backend.id }, `${backend.id} (${kindName(backend.kind)})`)));
      if (next.some((backend) => backend.id === previous)) backendSelect.value = previous;
      renderFields();
    },
    show() {
      status.textContent = '';
      dialog.showModal();
      backendSelect.focus();
    },
  };
}

const kindName = (kind: BackendKind): string => ({ AZURE_ML: 'ML Server', AWS_ML: 'Amazon ML', SLV: 'SLV' })[kind];

function field(name: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id = `start-${name}`;
  control.setAttribute('name', name);
  if (hint) control.setAttribute('aria-describedby', `start-${name}-hint`);
  return h('p', { class: 'field' }, h('label', { for: `start-${name}` }, label), control, hint && h('small', { id: `start-${name}-hint` }, hint));
}

const text = (value: string, required = true) => h('input', { type: 'text', value, required, autocomplete: 'off' });

function kindFields(kind: BackendKind): HTMLElement {
  switch (kind) {
    case 'AZURE_ML':
      return h(
        'fieldset',
        {},
        h('legend', {}, 'ML Server batch execution'),
        field('service', 'Web service', text('TxService')),
        field('version', 'Version', text('1.0')),
        field('records', 'Input records (JSON array)', h('textarea', { rows: 4, required: true }, '[{"hp": 110, "wt": 2.62}, {"hp": 93, "wt": 2.32}]'), 'One execution per record.'),
        field('parallelCount', 'Parallel executions', h('input', { type: 'number', min: 1, max: 100, value: 2 })),
      );
    case 'AWS_ML':
      return h(
        'fieldset',
        {},
        h('legend', {}, 'Amazon ML batch prediction'),
        field('mlModelId', 'ML model id', text('ml-sample-model')),
        field('dataSourceId', 'Data source id', text('ds-sample')),
        field('outputUri', 'Output S3 URI', text('s3://batchgate-sample-output/predictions/')),
        field('name', 'Name', text('Started from the dashboard', false)),
      );
    case 'SLV': {
      const operation = h('select', {}, ...['commissionController', 'commissionDevices', 'importDevicesCsv'].map((value) => h('option', { value }, value)));
      const slvFields = h('div');
      const renderSlv = () =>
        replaceChildren(
          slvFields,
          ...(operation.value === 'importDevicesCsv'
            ? [field('csv', 'CSV file content', h('textarea', { rows: 5, required: true }, 'idOnController;name;lat;lng;model\nlamp-1;Lamp 1;48.85;2.35;LED-70W'))]
            : [
                field('controllerStrId', 'Controller id', text('demo-controller-01')),
                operation.value === 'commissionController'
                  ? field('flags', 'Flags (1 configuration, 2 calendars, 4 devices)', h('input', { type: 'number', min: 1, max: 7, value: 5, required: true }))
                  : field('idOnController', 'Device ids', h('textarea', { rows: 3, required: true }, 'lamp-1, lamp-2, lamp-3'), 'Separated by commas or lines.'),
              ]),
        );
      operation.addEventListener('change', renderSlv);
      renderSlv();
      return h('fieldset', {}, h('legend', {}, 'SLV asynchronous batch'), field('operation', 'Operation', operation), slvFields);
    }
  }
}

/** Reads the kind's fields into the `StartBatchInput` shape; throws a message for the person to fix. */
function readKindInput(kind: BackendKind, data: FormData): Record<string, unknown> {
  const get = (name: string): string => String(data.get(name) ?? '').trim();
  switch (kind) {
    case 'AZURE_ML': {
      let records: unknown;
      try {
        records = JSON.parse(get('records'));
      } catch {
        throw new Error('Input records: expected a JSON array, e.g. [{"x": 1}]');
      }
      if (!Array.isArray(records)) throw new Error('Input records: expected a JSON array, e.g. [{"x": 1}]');
      return { azureMl: { service: get('service'), version: get('version'), records, parallelCount: Number(get('parallelCount') || 10) } };
    }
    case 'AWS_ML':
      return { awsMl: { mlModelId: get('mlModelId'), dataSourceId: get('dataSourceId'), outputUri: get('outputUri'), ...(get('name') ? { name: get('name') } : {}) } };
    case 'SLV': {
      const operation = get('operation');
      if (operation === 'importDevicesCsv') return { slv: { importDevicesCsv: { csv: String(data.get('csv') ?? '') } } };
      if (operation === 'commissionDevices') return { slv: { commissionDevices: { controllerStrId: get('controllerStrId'), idOnController: splitList(get('idOnController')) } } };
      return { slv: { commissionController: { controllerStrId: get('controllerStrId'), flags: Number(get('flags')) } } };
    }
  }
}
