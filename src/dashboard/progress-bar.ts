import { isTerminal } from '../core/model.js';
import { h, setAttribute } from './dom.js';
import { progressText, roundPercent } from './format.js';
import type { BatchState, BatchSummaryFragment } from '../generated/client/dashboard/graphql.js';

/**
 * A progress bar people and tools can read: `role="progressbar"` with `aria-valuenow` while the
 * percent is known; without it (the ARIA way to say "indeterminate") while the backend does not know.
 */
export function createProgressBar(label: string): HTMLElement {
  const fill = h('span', { class: 'bar-fill' });
  return h(
    'div',
    { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': label },
    h('span', { class: 'bar-track' }, fill),
    h('span', { class: 'bar-text' }),
  );
}

export function updateProgressBar(bar: HTMLElement, progress: BatchSummaryFragment['progress'], state: BatchState): void {
  const percent = roundPercent(progress.percent);
  const text = progressText(progress);
  setAttribute(bar, 'aria-valuenow', percent);
  setAttribute(bar, 'aria-valuetext', text);
  bar.dataset['state'] = state;
  // Only a live batch with an unknown percent animates; a finished one just shows an empty track.
  bar.classList.toggle('indeterminate', percent === null && !isTerminal(state));
  const fill = bar.querySelector<HTMLElement>('.bar-fill');
  if (fill) fill.style.width = percent === null ? '' : `${percent}%`;
  const label = bar.querySelector<HTMLElement>('.bar-text');
  if (label) label.textContent = text;
}
