import { isTerminal } from '../core/model.js';
import { authorizationHeader, tokenStore, type DashboardApi } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatDuration, stateLabel } from './format.js';
import { createProgressBar, updateProgressBar } from './progress-bar.js';
import { timeElement } from './table.js';
import {
  DashboardDetailDocument,
  DashboardExecutionsDocument,
  type BatchExecutionsFragment,
  type BatchSummaryFragment as BatchSummary,
} from '../generated/client/dashboard/graphql.js';
import { durationMs } from './view.js';

type BatchDetail = BatchSummary & BatchExecutionsFragment;
type ExecutionView = BatchExecutionsFragment['executions']['edges'][number]['node'];
type StepView = ExecutionView['steps'][number];

export interface DetailPanelOptions {
  api: DashboardApi;
  /** Each live snapshot, so the table row stays in step with the panel. */
  onBatch(batch: BatchDetail): void;
  onClose(): void;
  onCancel(batch: BatchDetail): void;
}

export interface DetailPanel {
  open(id: string): void;
  /** A newer snapshot from elsewhere (the cancel answer, the live list) for the open batch. */
  show(batch: BatchSummary): void;
  close(): void;
  readonly openId: string | null;
}

/**
 * The panel of one batch: summary, executions with their steps and messages, artifacts. It follows
 * the batch over `batchProgress` while open; further pages of executions are fetched on request.
 */
export function createDetailPanel(panel: HTMLElement, options: DetailPanelOptions): DetailPanel {
  let openId: string | null = null;
  let stop: (() => void) | null = null;
  let batch: BatchDetail | null = null;
  /** Executions beyond the first page, fetched with "Show more". */
  let extra: ExecutionView[] = [];
  let nextCursor: string | null = null;
  let liveError: string | null = null;
  /** The batch has ended: later snapshots of it running, or errors reading it, are stale. */
  let final = false;
  const expanded = new Set<number>();
  // The panel is drawn again on every live event; its buttons are kept across draws so a click
  // that lands while an event arrives is not lost with a replaced element.
  const closeButton = h('button', { type: 'button', class: 'close', 'data-focus-key': 'close', 'aria-label': 'Close the batch details', onclick: () => options.onClose() }, '×');
  const cancelButton = h('button', { type: 'button', class: 'danger', 'data-focus-key': 'cancel', onclick: () => batch && options.onCancel(batch) }, 'Cancel this batch');

  /** Takes a snapshot unless it would undo the end of the batch. */
  function accept(next: BatchSummary): boolean {
    if (final && !isTerminal(next.state)) return false;
    if (isTerminal(next.state)) {
      final = true;
      // A backend may forget a batch once it ended (ML Server deletes a cancelled one): that is
      // not a reason to show live updates as broken.
      liveError = null;
    }
    return true;
  }

  function close(): void {
    stop?.();
    stop = null;
    openId = null;
    batch = null;
    panel.hidden = true;
    panel.replaceChildren();
  }

  function open(id: string): void {
    if (openId === id) return;
    close();
    openId = id;
    extra = [];
    nextCursor = null;
    liveError = null;
    final = false;
    expanded.clear();
    panel.hidden = false;
    replaceChildren(panel, h('p', { class: 'muted', role: 'status' }, 'Loading the batch…'));
    stop = options.api.subscribe(
      DashboardDetailDocument,
      { id, after: null },
      {
        next: ({ batchProgress }) => {
          if (openId !== id || !accept(batchProgress.batch)) return;
          batch = batchProgress.batch;
          if (!final) liveError = batchProgress.error ? `${batchProgress.error.code}: ${batchProgress.error.message}` : null;
          if (extra.length === 0) nextCursor = batch.executions.pageInfo.hasNextPage ? batch.executions.pageInfo.endCursor : null;
          options.onBatch(batch);
          render();
        },
        error: (error) => {
          if (openId !== id || final) return;
          liveError = `${error.code}: ${error.message}`;
          render();
        },
      },
    );
  }

  function show(next: BatchSummary): void {
    if (next.id !== openId || !accept(next)) return;
    // The snapshot has no executions: keep the ones already shown.
    batch = { ...next, executions: batch?.executions ?? { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } };
    options.onBatch(batch);
    render();
  }

  async function showMore(): Promise<void> {
    if (!openId || !nextCursor) return;
    const id = openId;
    const result = await options.api.query(DashboardExecutionsDocument, { id, after: nextCursor });
    if (openId !== id || !result.data.batch) return;
    extra.push(...result.data.batch.executions.edges.map((edge) => edge.node));
    nextCursor = result.data.batch.executions.pageInfo.hasNextPage ? result.data.batch.executions.pageInfo.endCursor : null;
    render();
  }

  function render(): void {
    if (!batch) {
      if (liveError) replaceChildren(panel, h('p', { role: 'alert', class: 'error-box' }, liveError), closeButton);
      return;
    }
    const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.['focusKey'];
    cancelButton.disabled = batch.state === 'CANCELLING' || isTerminal(batch.state);
    const title = batch.name ?? batch.nativeId;
    const bar = createProgressBar(`Progress of ${title} (details)`);
    updateProgressBar(bar, batch.progress, batch.state);
    const executions = [...batch.executions.edges.map((edge) => edge.node), ...extra];
    const observed = new Set(batch.observedTimes ?? []);
    const duration = durationMs(batch, Date.now());
    replaceChildren(
      panel,
      h(
        'header',
        { class: 'panel-head' },
        h('h2', { id: 'detail-title', tabindex: -1, 'data-focus-key': 'title' }, title),
        h('span', { class: 'badge', 'data-state': batch.state }, stateLabel(batch.state)),
        closeButton,
      ),
      liveError && h('p', { role: 'status', class: 'warning-box' }, `Live updates paused — ${liveError}`),
      batch.error && h('p', { role: 'alert', class: 'error-box' }, h('strong', {}, 'Error'), ` ${batch.error.code ? `[${batch.error.code}] ` : ''}${batch.error.message}`),
      bar,
      h(
        'dl',
        { class: 'facts' },
        ...fact('Backend', `${batch.backend.id} (${batch.backend.kind})`),
        ...fact('Native id', h('code', {}, batch.nativeId)),
        ...fact('Native status', batch.nativeStatus),
        ...fact('Created', timeElement(batch.createdAt, observed.has('CREATED'))),
        ...fact('Started', timeElement(batch.startedAt, observed.has('STARTED'))),
        ...fact('Finished', timeElement(batch.finishedAt, observed.has('FINISHED'))),
        ...fact('Duration', duration === null ? '—' : formatDuration(duration)),
        ...(batch.progress.message ? fact('Message', batch.progress.message) : []),
      ),
      batch.backend.capabilities.cancel && cancelButton,
      h('h3', {}, `Executions (${batch.executions.totalCount})`),
      executions.length === 0 ? h('p', { class: 'muted' }, 'No executions reported yet.') : h('ol', { class: 'executions' }, ...executions.map(renderExecution)),
      nextCursor && h('button', { type: 'button', 'data-focus-key': 'more', onclick: () => void showMore() }, 'Show more executions'),
    );
    // Re-rendering replaced the focused element; put focus back on its successor.
    if (focusedKey) panel.querySelector<HTMLElement>(`[data-focus-key="${focusedKey}"]`)?.focus();
  }

  function renderExecution(execution: ExecutionView): HTMLElement {
    const messages = execution.steps.flatMap((step) => step.messages);
    const warnings = messages.filter((message) => message.severity === 'WARNING').length;
    const errors = messages.filter((message) => message.severity === 'ERROR').length;
    const summary = h(
      'summary',
      { 'data-focus-key': `execution-${execution.index}` },
      `#${execution.index} `,
      h('span', { class: 'badge', 'data-state': execution.state }, stateLabel(execution.state)),
      execution.response && ` HTTP ${execution.response.statusCode}`,
      warnings > 0 && h('span', { class: 'count warning' }, ` ${warnings} warning${warnings === 1 ? '' : 's'}`),
      errors > 0 && h('span', { class: 'count error' }, ` ${errors} error${errors === 1 ? '' : 's'}`),
    );
    const details = h(
      'details',
      { open: expanded.has(execution.index) },
      summary,
      execution.steps.length > 0 ? h('ul', { class: 'steps' }, ...execution.steps.map(renderStep)) : h('p', { class: 'muted' }, 'No steps.'),
      execution.artifacts.length > 0 &&
        h('p', { class: 'artifacts' }, 'Artifacts: ', ...execution.artifacts.flatMap((artifact, at) => [at > 0 ? ', ' : '', artifactLink(artifact)])),
    );
    details.addEventListener('toggle', () => (details.open ? expanded.add(execution.index) : expanded.delete(execution.index)));
    return h('li', {}, details);
  }

  return {
    open,
    show,
    close,
    get openId() {
      return openId;
    },
  };
}

function fact(term: string, value: Node | string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function renderStep(step: StepView): HTMLElement {
  return h(
    'li',
    { class: 'step', 'data-status': step.status },
    h('span', { class: 'step-name' }, step.label ?? step.name),
    ' ',
    h('span', { class: 'badge', 'data-status': step.status }, step.status),
    step.messages.length > 0 &&
      h(
        'ul',
        { class: 'messages' },
        ...step.messages.map((message) =>
          h(
            'li',
            { class: 'message', 'data-severity': message.severity },
            h('span', { class: 'severity' }, message.severity),
            ' ',
            message.text,
            message.statusText ? h('span', { class: 'muted' }, ` (${message.statusText})`) : null,
          ),
        ),
      ),
  );
}

/**
 * Gateway download links need the token when auth is on, and a plain link cannot send a header: the
 * click fetches the file with it and hands the browser a blob to save instead.
 */
function artifactLink(artifact: { name: string; url: string | null }): HTMLElement {
  if (!artifact.url) return h('span', {}, artifact.name);
  const link = h('a', { href: artifact.url, download: artifact.name }, artifact.name);
  link.addEventListener('click', (event) => {
    const sameOrigin = new URL(artifact.url as string, window.location.href).origin === window.location.origin;
    if (!tokenStore.get() || !sameOrigin) return;
    event.preventDefault();
    void (async () => {
      const response = await fetch(artifact.url as string, { headers: authorizationHeader() });
      if (!response.ok) return void window.alert(`The download failed (HTTP ${response.status}).`);
      const href = URL.createObjectURL(await response.blob());
      const save = h('a', { href, download: artifact.name });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
    })();
  });
  return link;
}

