import { GatewayError, type QueryResult } from '../client/index.js';
import {
  DashboardBackendsDocument,
  DashboardBatchesDocument,
  DashboardCancelDocument,
  DashboardUpdatesDocument,
  type BatchState,
  type BatchSummaryFragment as BatchSummary,
  type DashboardBackendsQuery,
  type DashboardBatchesQuery,
} from '../generated/client/dashboard/graphql.js';
import { createDashboardApi, tokenStore } from './api.js';
import { createDetailPanel } from './details.js';
import { byId, h, replaceChildren } from './dom.js';
import { stateLabel } from './format.js';
import { createStartForm } from './start-form.js';
import { createBatchTable } from './table.js';
import { BATCH_STATES, parseView, serializeView, type ViewState } from './view.js';

type BackendView = DashboardBackendsQuery['backends'][number];

/** How often the whole list is re-read, in case a live update was missed (a reconnect, a lost event). */
const REFRESH_MS = 15_000;
/** The list is read 20 at a time; this caps one refresh at 1,000 batches (the table pages them 50 at a time). */
const MAX_PAGES = 50;

const api = createDashboardApi('/graphql');
const alerts = byId('alerts');
const liveStatus = byId('live-status');
const backendFilter = byId<HTMLSelectElement>('filter-backend');
const stateFilter = byId<HTMLSelectElement>('filter-state');
const searchBox = byId<HTMLInputElement>('filter-search');
const count = byId('count');
const list = byId('batches');
const tokenDialog = byId<HTMLDialogElement>('token-dialog');
const confirmDialog = byId<HTMLDialogElement>('confirm-dialog');

const table = createBatchTable(byId<HTMLTableSectionElement>('batch-rows'), byId<HTMLTableRowElement>('batch-head'), byId('pager'), {
  onOpen: (batch) => openDetails(batch.id),
  onCancel: (batch) => confirmCancel(batch),
  onView: (change) => setView(change),
});

/** The view lives in the URL: every change replaces it, opening or closing a batch adds a history entry. */
let view: ViewState = parseView(window.location.search);
function setView(change: Partial<ViewState>, options: { push?: boolean } = {}): void {
  view = { ...view, ...change };
  showView();
  const url = `${window.location.pathname}${serializeView(view)}`;
  if (url !== `${window.location.pathname}${window.location.search}`) window.history[options.push ? 'pushState' : 'replaceState'](null, '', url);
}
function showView(): void {
  if ([...backendFilter.options].some((option) => option.value === view.backend)) backendFilter.value = view.backend;
  stateFilter.value = view.state;
  if (searchBox.value !== view.search) searchBox.value = view.search;
  table.setView(view);
  updateCount();
}
window.addEventListener('popstate', () => {
  view = parseView(window.location.search);
  showView();
  if (view.batch && details.openId !== view.batch) openDetails(view.batch, { history: false });
  if (!view.batch && details.openId) closeDetails({ history: false });
});
const details = createDetailPanel(byId('details'), {
  api,
  onBatch: (batch) => {
    table.upsert(batch);
    updateCount();
  },
  onClose: () => closeDetails(),
  onCancel: (batch) => confirmCancel(batch),
});
const startForm = createStartForm(byId<HTMLDialogElement>('start-dialog'), {
  api,
  onStarted: (batch) => {
    table.upsert(batch);
    updateCount();
    openDetails(batch.id);
  },
});

for (const state of BATCH_STATES) stateFilter.append(h('option', { value: state }, stateLabel(state)));
backendFilter.addEventListener('change', () => setView({ backend: backendFilter.value, page: 1 }));
stateFilter.addEventListener('change', () => setView({ state: stateFilter.value as BatchState | '', page: 1 }));
searchBox.addEventListener('input', () => setView({ search: searchBox.value, page: 1 }));
// Filters apply as they change; Enter in the search box would otherwise submit the form and reload the page without them.
document.querySelector('form.filters')?.addEventListener('submit', (event) => event.preventDefault());
byId('start-button').addEventListener('click', () => startForm.show());
byId('token-button').addEventListener('click', () => askForToken());

function updateCount(): void {
  const { shown, total } = table.counts();
  const busy = list.getAttribute('aria-busy') === 'true';
  if (busy && total === 0) count.textContent = 'Loading batches…';
  else count.textContent = shown === total ? `${total} batch${total === 1 ? '' : 'es'}` : `${shown} of ${total} batches match`;
  byId('empty').hidden = shown > 0 || busy;
}

function showAlerts(messages: string[]): void {
  replaceChildren(alerts, ...messages.map((message) => h('p', { class: 'error-box' }, message)));
}

const describe = (error: GatewayError): string => `${error.backend ? `${error.backend}: ` : ''}${error.code} — ${error.message}`;

/**
 * Reads the backends and every page of batches into the table, each page as it arrives: a long
 * list takes many round trips, and the first rows should not wait for the last. The table is
 * `aria-busy` until the last page is in.
 */
let loading: Promise<void> | null = null;
function loadAll(): Promise<void> {
  loading ??= (async () => {
    list.setAttribute('aria-busy', 'true');
    updateCount();
    try {
      const { data: backendData } = await api.query(DashboardBackendsDocument, {});
      setBackends(backendData.backends);
      const problems: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result: QueryResult<DashboardBatchesQuery> = await api.query(DashboardBatchesDocument, { after });
        table.setAll(result.data.batches.edges.map((edge) => edge.node));
        updateCount();
        problems.push(...result.errors.map(describe));
        if (!result.data.batches.pageInfo.hasNextPage || !result.data.batches.pageInfo.endCursor) break;
        after = result.data.batches.pageInfo.endCursor;
      }
      const unhealthy = backendData.backends.filter((backend) => !backend.healthy).map((backend) => `${backend.id}: not answering its health probe`);
      showAlerts([...new Set([...problems, ...unhealthy])]);
    } catch (error) {
      if (!(error instanceof GatewayError && error.code === 'UNAUTHENTICATED')) {
        showAlerts([error instanceof GatewayError ? describe(error) : `The gateway cannot be reached (${String(error)})`]);
      }
    } finally {
      loading = null;
      list.setAttribute('aria-busy', 'false');
      updateCount();
    }
  })();
  return loading;
}

function setBackends(backends: BackendView[]): void {
  startForm.setBackends(backends);
  replaceChildren(backendFilter, h('option', { value: '' }, 'All backends'), ...backends.map((backend) => h('option', { value: backend.id }, backend.id)));
  backendFilter.value = backends.some((backend) => backend.id === view.backend) ? view.backend : '';
}

/** The live feed: every change of every batch, new ones included. */
let stopUpdates: (() => void) | null = null;
function subscribeUpdates(): void {
  stopUpdates?.();
  stopUpdates = api.subscribe(DashboardUpdatesDocument, {}, {
    next: ({ batchUpdates }) => {
      table.upsert(batchUpdates.batch);
      details.show(batchUpdates.batch);
      updateCount();
    },
    error: (error) => {
      if (error.code !== 'UNAUTHENTICATED') showAlerts([`Live updates stopped: ${describe(error)}`]);
    },
  });
}

let wasConnected = false;
api.onConnection((connected) => {
  liveStatus.textContent = connected ? 'Live' : 'Reconnecting…';
  liveStatus.dataset['connected'] = String(connected);
  // After a reconnect, events sent while the socket was down are gone: read the list again.
  if (connected && wasConnected) void loadAll();
  if (connected) wasConnected = true;
});

function openDetails(id: string, options: { history?: boolean } = {}): void {
  details.open(id);
  table.setSelected(id);
  if (options.history !== false && view.batch !== id) setView({ batch: id }, { push: true });
  // Move focus to the panel once it shows the batch, so keyboard users land on what they opened.
  const focusTitle = () => {
    const title = document.getElementById('detail-title');
    if (title) title.focus();
    else if (details.openId === id) setTimeout(focusTitle, 50);
  };
  focusTitle();
}

function closeDetails(options: { history?: boolean } = {}): void {
  const id = details.openId;
  details.close();
  table.setSelected(null);
  if (options.history !== false && view.batch) setView({ batch: null }, { push: true });
  if (id) table.focusRow(id);
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && details.openId && !document.querySelector('dialog[open]')) closeDetails();
});

function confirmCancel(batch: BatchSummary): void {
  byId('confirm-text').textContent = `Ask ${batch.backend.id} to stop “${batch.name ?? batch.nativeId}”? Work already done is not undone.`;
  confirmDialog.returnValue = '';
  confirmDialog.showModal();
  byId('confirm-keep').focus();
  confirmDialog.addEventListener(
    'close',
    () => {
      if (confirmDialog.returnValue !== 'cancel') return;
      api
        .query(DashboardCancelDocument, { id: batch.id })
        .then(({ data }) => {
          table.upsert(data.cancelBatch.batch);
          // The panel shows the answer at once, even if the backend forgets the batch right after.
          details.show(data.cancelBatch.batch);
          updateCount();
        })
        .catch((error: unknown) => showAlerts([`Cancel failed: ${error instanceof GatewayError ? describe(error) : String(error)}`]));
    },
    { once: true },
  );
}

/** The gateway wants a token: ask once, keep it for this tab, and restart everything with it. */
function askForToken(): void {
  byId('token-button').hidden = false;
  if (tokenDialog.open) return;
  const input = byId<HTMLInputElement>('token-input');
  input.value = '';
  tokenDialog.showModal();
  input.focus();
}
api.onUnauthenticated(() => askForToken());
byId<HTMLFormElement>('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  tokenStore.set(byId<HTMLInputElement>('token-input').value.trim() || null);
  tokenDialog.close();
  api.reconnect();
  subscribeUpdates();
  void loadAll();
});
if (tokenStore.get()) byId('token-button').hidden = false;

showView();
if (view.batch) openDetails(view.batch, { history: false });
void loadAll();
subscribeUpdates();
setInterval(() => void loadAll(), REFRESH_MS);
