import { isTerminal } from '../core/model.js';
import { h, replaceChildren, setAttribute } from './dom.js';
import { formatDuration, formatTime, stateLabel } from './format.js';
import { createProgressBar, updateProgressBar } from './progress-bar.js';
import type { BatchSummaryFragment as BatchSummary } from '../generated/client/dashboard/graphql.js';
import { DEFAULT_VIEW, durationMs, firstDirection, matches, sortRows, type SortKey, type ViewState } from './view.js';

/** Rows per page: the DOM holds one page, so hundreds of batches stay fast. */
const ROWS_PER_PAGE = 50;

export interface BatchTableOptions {
  onOpen(batch: BatchSummary): void;
  onCancel(batch: BatchSummary): void;
  /** A column header or a pager button asks for another view. */
  onView(change: Partial<ViewState>): void;
}

export interface BatchTable {
  /** Brings the table in line with a full list (rows no longer listed are kept: live updates may be newer). */
  setAll(batches: readonly BatchSummary[]): void;
  upsert(batch: BatchSummary): void;
  setView(view: ViewState): void;
  setSelected(id: string | null): void;
  /** Renders now and moves keyboard focus to the row's open button, if the row is on the page shown. */
  focusRow(id: string): void;
  get(id: string): BatchSummary | undefined;
  /** Matching / all rows, for the caption. */
  counts(): { shown: number; total: number };
}

interface Row {
  batch: BatchSummary;
  firstSeen: number;
  element: HTMLTableRowElement | null;
  dirty: boolean;
}

const COLUMNS: Array<{ key: SortKey; label: string; className: string }> = [
  { key: 'backend', label: 'Backend', className: 'col-backend' },
  { key: 'name', label: 'Batch', className: 'col-name' },
  { key: 'state', label: 'State', className: 'col-state' },
  { key: 'progress', label: 'Progress', className: 'col-progress' },
  { key: 'started', label: 'Started', className: 'col-started' },
  { key: 'finished', label: 'Finished', className: 'col-finished' },
  { key: 'duration', label: 'Duration', className: 'col-duration' },
];

const OBSERVED_NOTE = 'observed by the gateway: the backend reports no such time (accurate to about one poll interval)';

/** A time cell: local time (with the date when not today), `≈` and a note when the gateway only observed it. */
export function timeElement(iso: string | null, observed = false): HTMLElement {
  if (!iso) return h('span', { class: 'muted', 'aria-label': 'unknown' }, '—');
  const text = formatTime(iso);
  return observed
    ? h('time', { datetime: iso, class: 'observed', title: `${iso}, ${OBSERVED_NOTE}` }, h('span', { 'aria-hidden': 'true' }, '≈ '), h('span', { class: 'visually-hidden' }, 'observed '), text)
    : h('time', { datetime: iso, title: iso }, text);
}

/**
 * The batch table: sortable columns, one page of rows in the DOM, rows keyed by batch id and updated
 * in place so a live update never moves keyboard focus or loses a half-pressed button. Renders are
 * coalesced, so a burst of live events costs one pass.
 */
export function createBatchTable(body: HTMLTableSectionElement, head: HTMLTableRowElement, pager: HTMLElement, options: BatchTableOptions): BatchTable {
  const rows = new Map<string, Row>();
  let view: ViewState = DEFAULT_VIEW;
  let selected: string | null = null;
  let scheduled = false;

  const headers = COLUMNS.map((column) => {
    const button = h('button', { type: 'button', class: 'sort', onclick: () => options.onView(nextSort(column.key)) }, column.label);
    return { column, button, cell: h('th', { scope: 'col', class: column.className }, button) };
  });
  replaceChildren(head, ...headers.map((header) => header.cell), h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'visually-hidden' }, 'Actions')));

  /** First click: the column's natural direction; second: the other; third: back to the default order. */
  function nextSort(key: SortKey): Partial<ViewState> {
    if (view.sort !== key) return { sort: key, direction: firstDirection(key), page: 1 };
    if (view.direction === firstDirection(key)) return { direction: view.direction === 'asc' ? 'desc' : 'asc', page: 1 };
    return { sort: null, direction: 'desc', page: 1 };
  }

  function createRow(id: string): HTMLTableRowElement {
    const current = () => rows.get(id)!.batch;
    const open = h('button', { type: 'button', class: 'link', 'data-action': 'open', 'aria-expanded': 'false', onclick: () => options.onOpen(current()) });
    const cancel = h('button', { type: 'button', class: 'danger small', 'data-action': 'cancel', onclick: () => options.onCancel(current()) }, 'Cancel');
    return h(
      'tr',
      { 'data-batch-id': id },
      h('td', { class: 'backend col-backend' }),
      h('th', { scope: 'row', class: 'name col-name' }, open, h('div', { class: 'sub' }, h('span', { class: 'sub-backend' }), h('span', { class: 'native-id' }))),
      h('td', { class: 'state col-state' }, h('span', { class: 'badge' })),
      h('td', { class: 'progress col-progress' }, createProgressBar('Progress')),
      h('td', { class: 'started col-started' }),
      h('td', { class: 'finished col-finished' }),
      h('td', { class: 'duration col-duration' }),
      h('td', { class: 'actions col-actions' }, cancel),
    );
  }

  function fill(row: Row, element: HTMLTableRowElement): void {
    const { batch } = row;
    const cell = (name: string) => element.querySelector(`.${name}`) as HTMLElement;
    const title = batch.name ?? batch.nativeId;
    cell('backend').textContent = batch.backend.id;
    cell('sub-backend').textContent = batch.backend.id;
    cell('native-id').textContent = batch.name ? batch.nativeId : '';
    const open = element.querySelector('[data-action="open"]') as HTMLButtonElement;
    open.textContent = title;
    const badge = cell('badge');
    badge.textContent = stateLabel(batch.state);
    badge.dataset['state'] = batch.state;
    badge.title = `Backend status: ${batch.nativeStatus}`;
    const bar = element.querySelector('[role="progressbar"]') as HTMLElement;
    setAttribute(bar, 'aria-label', `Progress of ${title}`);
    updateProgressBar(bar, batch.progress, batch.state);
    const observed = new Set(batch.observedTimes ?? []);
    replaceChildren(cell('started'), timeElement(batch.startedAt, observed.has('STARTED')));
    replaceChildren(cell('finished'), timeElement(batch.finishedAt, observed.has('FINISHED')));
    const cancel = element.querySelector('[data-action="cancel"]') as HTMLButtonElement;
    cancel.hidden = isTerminal(batch.state) || !batch.backend.capabilities.cancel;
    cancel.disabled = batch.state === 'CANCELLING';
    setAttribute(cancel, 'aria-label', `Cancel ${title}`);
  }

  function render(): void {
    scheduled = false;
    const now = Date.now();
    const matching = sortRows([...rows.values()].filter((row) => matches(view, row.batch)), view, now);
    const pages = Math.max(1, Math.ceil(matching.length / ROWS_PER_PAGE));
    const page = Math.min(view.page, pages);
    const shown = matching.slice((page - 1) * ROWS_PER_PAGE, page * ROWS_PER_PAGE);
    const elements = shown.map((row) => {
      if (!row.element) row.element = createRow(row.batch.id);
      if (row.dirty) fill(row, row.element);
      row.dirty = false;
      const duration = durationMs(row.batch, now);
      row.element.querySelector('.duration')!.textContent = duration === null ? '—' : formatDuration(duration);
      row.element.classList.toggle('selected', row.batch.id === selected);
      setAttribute(row.element.querySelector('[data-action="open"]')!, 'aria-expanded', row.batch.id === selected ? 'true' : 'false');
      return row.element;
    });
    // Only touch the DOM when the order differs, so a focused row is not moved for nothing. Moving
    // a row takes it out of the document for a moment, which blurs whatever had focus in it: give
    // focus back to the same element afterwards.
    const current = [...body.children];
    if (elements.length !== current.length || elements.some((element, index) => current[index] !== element)) {
      const focused = document.activeElement instanceof HTMLElement && body.contains(document.activeElement) ? document.activeElement : null;
      body.replaceChildren(...elements);
      if (focused?.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true });
    }
    for (const { column, cell } of headers) {
      setAttribute(cell, 'aria-sort', view.sort === column.key ? (view.direction === 'asc' ? 'ascending' : 'descending') : null);
      cell.dataset['sorted'] = view.sort === column.key ? view.direction : '';
    }
    renderPager(page, pages, matching.length);
  }

  // Built once and updated in place: a control replaced while someone presses it (every second, with
  // the durations) would lose their click and their keyboard focus.
  let shownPage = 1;
  const previous = h('button', { type: 'button', 'data-action': 'previous-page', onclick: () => options.onView({ page: shownPage - 1 }) }, '‹ Previous');
  const status = h('span', { class: 'page-status', 'aria-live': 'polite' });
  const next = h('button', { type: 'button', 'data-action': 'next-page', onclick: () => options.onView({ page: shownPage + 1 }) }, 'Next ›');
  replaceChildren(pager, previous, status, next);

  function renderPager(page: number, pages: number, total: number): void {
    const from = total === 0 ? 0 : (page - 1) * ROWS_PER_PAGE + 1;
    const to = Math.min(total, page * ROWS_PER_PAGE);
    shownPage = page;
    pager.hidden = pages <= 1;
    previous.disabled = page <= 1;
    next.disabled = page >= pages;
    const text = `${from}–${to} of ${total} · page ${page} of ${pages}`;
    if (status.textContent !== text) status.textContent = text;
  }

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(render, 16);
  };
  // Durations of running batches move with the clock.
  setInterval(schedule, 1000);

  function upsert(batch: BatchSummary): void {
    const row = rows.get(batch.id);
    if (!row) rows.set(batch.id, { batch, firstSeen: Date.now(), element: null, dirty: true });
    // A finished batch does not start again: a late snapshot of it running (a list read before the
    // end, an older poll) must not undo what a terminal event or the cancel answer said.
    else if (!(isTerminal(row.batch.state) && !isTerminal(batch.state))) {
      row.batch = batch;
      row.dirty = true;
    }
    schedule();
  }

  return {
    setAll: (batches) => batches.forEach(upsert),
    upsert,
    setView(next) {
      view = next;
      schedule();
    },
    setSelected(id) {
      selected = id;
      schedule();
    },
    focusRow(id) {
      render();
      rows.get(id)?.element?.querySelector<HTMLElement>('[data-action="open"]')?.focus();
    },
    get: (id) => rows.get(id)?.batch,
    counts() {
      const all = [...rows.values()];
      return { shown: all.filter((row) => matches(view, row.batch)).length, total: all.length };
    },
  };
}
