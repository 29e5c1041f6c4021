import { h, replaceChildren, setAttribute } from './dom.js';
import { formatTime, stateLabel } from './format.js';
import { createProgressBar, updateProgressBar } from './progress-bar.js';
import { isTerminalState, type BatchState, type BatchSummary } from './types.js';

export interface TableFilter {
  backend: string;
  state: BatchState | '';
}

export interface BatchTableOptions {
  onOpen(batch: BatchSummary): void;
  onCancel(batch: BatchSummary): void;
}

interface Row {
  element: HTMLTableRowElement;
  batch: BatchSummary;
  /** Sort key: list order, with batches first seen live on top. */
  order: number;
}

/**
 * The batch table. Rows are keyed by batch id and updated in place, so a live update never moves
 * keyboard focus or loses a half-pressed button.
 */
export interface BatchTable {
  /** Replaces the set of batches with a full list (rows no longer listed are kept: live updates may be newer). */
  setAll(batches: readonly BatchSummary[]): void;
  upsert(batch: BatchSummary): void;
  setFilter(filter: TableFilter): void;
  setSelected(id: string | null): void;
  get(id: string): BatchSummary | undefined;
  /** Shown / total rows, for the caption. */
  counts(): { shown: number; total: number };
}

export function createBatchTable(body: HTMLTableSectionElement, options: BatchTableOptions): BatchTable {
  const rows = new Map<string, Row>();
  let filter: TableFilter = { backend: '', state: '' };
  let selected: string | null = null;
  let topOrder = 0;

  const visible = (batch: BatchSummary) =>
    (filter.backend === '' || batch.backend.id === filter.backend) && (filter.state === '' || batch.state === filter.state);

  function createRow(batch: BatchSummary): HTMLTableRowElement {
    const title = batch.name ?? batch.nativeId;
    const open = h('button', { type: 'button', class: 'link', 'data-action': 'open', 'aria-expanded': 'false', onclick: () => options.onOpen(current()) }, title);
    const cancel = h('button', { type: 'button', class: 'danger small', 'data-action': 'cancel', onclick: () => options.onCancel(current()) }, 'Cancel');
    const row = h(
      'tr',
      { 'data-batch-id': batch.id },
      h('td', { class: 'backend' }),
      h('th', { scope: 'row', class: 'name' }, open, h('div', { class: 'native-id' })),
      h('td', { class: 'state' }, h('span', { class: 'badge' })),
      h('td', { class: 'progress' }, createProgressBar(`Progress of ${title}`)),
      h('td', { class: 'started' }),
      h('td', { class: 'finished' }),
      h('td', { class: 'actions' }, cancel),
    );
    const current = () => rows.get(batch.id)?.batch ?? batch;
    return row;
  }

  function render(row: Row): void {
    const { element, batch } = row;
    const cell = (name: string) => element.querySelector(`.${name}`) as HTMLElement;
    cell('backend').textContent = batch.backend.id;
    const open = element.querySelector('[data-action="open"]') as HTMLButtonElement;
    open.textContent = batch.name ?? batch.nativeId;
    setAttribute(open, 'aria-expanded', batch.id === selected ? 'true' : 'false');
    cell('native-id').textContent = batch.name ? batch.nativeId : '';
    const badge = cell('badge');
    badge.textContent = stateLabel(batch.state);
    badge.dataset['state'] = batch.state;
    badge.title = `Backend status: ${batch.nativeStatus}`;
    updateProgressBar(element.querySelector('[role="progressbar"]') as HTMLElement, batch.progress, batch.state);
    replaceChildren(cell('started'), timeElement(batch.startedAt));
    replaceChildren(cell('finished'), timeElement(batch.finishedAt));
    const cancel = element.querySelector('[data-action="cancel"]') as HTMLButtonElement;
    cancel.hidden = isTerminalState(batch.state) || !batch.backend.capabilities.cancel;
    cancel.disabled = batch.state === 'CANCELLING';
    setAttribute(cancel, 'aria-label', `Cancel ${batch.name ?? batch.nativeId}`);
    element.classList.toggle('selected', batch.id === selected);
    element.hidden = !visible(batch);
  }

  function reorder(): void {
    const sorted = [...rows.values()].sort((a, b) => a.order - b.order);
    // Appending an element already in place is a no-op visually, but moving focused rows is avoided
    // by only touching the DOM when the order actually differs.
    const current = [...body.children];
    if (sorted.every((row, index) => current[index] === row.element)) return;
    body.replaceChildren(...sorted.map((row) => row.element));
  }

  function upsert(batch: BatchSummary, order?: number): void {
    let row = rows.get(batch.id);
    if (!row) {
      row = { element: createRow(batch), batch, order: order ?? --topOrder };
      rows.set(batch.id, row);
    } else {
      row.batch = batch;
      if (order !== undefined) row.order = order;
    }
    render(row);
  }

  return {
    setAll(batches) {
      batches.forEach((batch, index) => upsert(batch, index));
      reorder();
    },
    upsert(batch) {
      const isNew = !rows.has(batch.id);
      upsert(batch);
      if (isNew) reorder();
    },
    setFilter(next) {
      filter = next;
      rows.forEach(render);
    },
    setSelected(id) {
      selected = id;
      rows.forEach(render);
    },
    get: (id) => rows.get(id)?.batch,
    counts() {
      const all = [...rows.values()];
      return { shown: all.filter((row) => visible(row.batch)).length, total: all.length };
    },
  };
}

export function timeElement(iso: string | null): HTMLElement {
  return iso ? h('time', { datetime: iso, title: iso }, formatTime(iso)) : h('span', { class: 'muted', 'aria-label': 'unknown' }, '—');
}
