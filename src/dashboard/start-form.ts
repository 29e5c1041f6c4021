import { GatewayError } from '../client/index.js';
import type { DashboardApi } from './api.js';
import type { StartForms } from '../backends/start-form.js';
import { h, replaceChildren } from './dom.js';
import { readStartFields, renderStartFields } from './start-fields.js';
import { DashboardStartDocument, type BatchSummaryFragment as BatchSummary, type DashboardBackendsQuery, type StartBatchInput } from '../generated/client/dashboard/graphql.js';

type BackendView = DashboardBackendsQuery['backends'][number];

export interface StartFormOptions {
  api: DashboardApi;
  /** Where each kind's form description comes from. @default '/dashboard/start-forms.json' */
  formsUrl?: string;
  onStarted(batch: BatchSummary): void;
}

export interface StartForm {
  setBackends(backends: readonly BackendView[]): void;
  show(): void;
}

/**
 * The "Start a batch" dialog: pick a backend, fill the form of its kind. Each kind's form is a
 * description its backend folder writes, which the gateway serves; defaults are inputs the built-in
 * emulators accept, so the embedded demo can be tried without looking anything up.
 */
export function createStartForm(dialog: HTMLDialogElement, options: StartFormOptions): StartForm {
  let backends: readonly BackendView[] = [];
  let forms: StartForms = {};
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

  const formOf = (backend: BackendView | undefined) => (backend ? forms[backend.kind] : undefined);
  const kindName = (backend: BackendView) => forms[backend.kind]?.title ?? backend.kind;

  function renderFields(): void {
    const form = formOf(selected());
    replaceChildren(fields, form ? renderStartFields(form) : null);
    status.textContent = '';
  }

  function renderBackends(): void {
    const previous = backendSelect.value;
    replaceChildren(backendSelect, ...backends.map((backend) => h('option', { value: backend.id }, `${backend.id} (${kindName(backend)})`)));
    if (backends.some((backend) => backend.id === previous)) backendSelect.value = previous;
    renderFields();
  }

  void fetch(options.formsUrl ?? '/dashboard/start-forms.json')
    .then(async (response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      forms = (await response.json()) as StartForms;
      renderBackends();
    })
    .catch((error: unknown) => {
      status.className = 'form-status error-box';
      status.textContent = `The start forms could not be loaded (${String(error)}); reload the page to try again.`;
    });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const backend = selected();
    const kindForm = formOf(backend);
    if (!backend || !kindForm) return;
    let input: StartBatchInput;
    try {
      input = { backend: backend.id, [kindForm.inputField]: readStartFields(kindForm, new FormData(form)) };
    } catch (error) {
      status.textContent = (error as Error).message;
      status.className = 'form-status error-box';
      return;
    }
    submit.disabled = true;
    status.className = 'form-status';
    status.textContent = 'Starting…';
    options.api
      .query(DashboardStartDocument, { input })
      .then(({ data }) => {
        options.onStarted(data.startBatch.batch);
        dialog.close();
      })
      .catch((error: unknown) => {
        status.className = 'form-status error-box';
        status.textContent = error instanceof GatewayError ? `${error.code}: ${error.message}` : String(error);
      })
      .finally(() => {
        submit.disabled = false;
      });
  });

  return {
    setBackends(next) {
      backends = next;
      renderBackends();
    },
    show() {
      status.textContent = '';
      dialog.showModal();
      backendSelect.focus();
    },
  };
}
