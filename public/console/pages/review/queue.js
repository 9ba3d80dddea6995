// @ts-check
// The review queue (#/review?state=submitted): the department's results in
// one state of the review, most urgent first, each opening its page. On the
// submitted tab several can be approved together, on the approved tab
// several of revealed tasks published together; either after a check of
// what is about to happen.

import { fill, h, tx } from '../../../lib/dom.js';
import { t } from '../../../lib/i18n.js';
import { outcomeLabel, loadOutcomes } from '../../../lib/outcomes.js';
import { confirmation, refusal, showErrors } from '../../forms.js';
import { go } from '../../router.js';
import { get, send } from '../../session.js';
import { dataTable, statusLine, subNav } from '../data-table.js';
import { append } from '../tasks/page.js';
import { QUEUE_STATES, deadlineWords, resultState, taskStates } from './data.js';

/** @typedef {import('./data.js').Result} Result */

/** What each tab's bulk action is, and the request it sends per result. */
const BULK = /** @type {Record<string, {action: 'approve' | 'publish'}>} */ ({
  submitted: { action: 'approve' },
  approved: { action: 'publish' },
});

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} _params
 * @param {URLSearchParams} query
 */
export async function queuePage(main, _params, query) {
  const wanted = query.get('state') || 'submitted';
  const state = QUEUE_STATES.includes(wanted) ? wanted : 'submitted';
  /** @type {[Result[], unknown]} */
  const [results] = await Promise.all([get(`/api/results?state=${state}`), loadOutcomes()]);
  results.sort(byUrgency);
  const tasks = await taskStates(results.map((result) => result.task));
  const done = query.get('done');
  const count = Number(query.get('count') || 0);
  append(main,
    h('h1', {}, tx('review.queue.h1')),
    h('p', { class: 'lead' }, tx('review.queue.intro')),
    done === 'approve' || done === 'publish'
      ? Object.assign(confirmation(tx(`review.bulk.done.${done}`, { count })), { id: 'bulk-done' })
      : null,
    subNav(
      'review.queue.tabs',
      QUEUE_STATES.map((value) => [`#/review?state=${value}`, `review.state.${value}`]),
      `#/review?state=${state}`,
    ),
    h('p', { id: 'queue-count', role: 'status' }, tx('review.queue.count', { count: results.length })),
    BULK[state] && results.length ? bulkForm(state, results, tasks) : resultTable(results, tasks, null),
  );
}

/** Overdue first, then by working days left; results without a date last. */
function byUrgency(/** @type {Result} */ a, /** @type {Result} */ b) {
  const left = (/** @type {Result} */ r) => (r.deadline ? r.deadline.working_days_left : Number.MAX_SAFE_INTEGER);
  return left(a) - left(b) || a.id - b.id;
}

/** Whether a result may be chosen for the tab's bulk action. */
function selectable(/** @type {string} */ state, /** @type {Result} */ result, /** @type {Map<number, string>} */ tasks) {
  return state !== 'approved' || tasks.get(result.task) === 'revealed';
}

/**
 * The table of results; with `state`, a first column to select them.
 * @param {Result[]} results
 * @param {Map<number, string>} tasks
 * @param {string | null} state
 */
function resultTable(results, tasks, state) {
  /** @type {Array<import('../data-table.js').Column<Result>>} */
  const columns = [
    {
      label: 'review.queue.target',
      header: true,
      cell: (r) => h('a', { href: `#/review/${r.id}`, class: 'result-link' }, r.target_name || r.target),
    },
    { label: 'review.queue.task', cell: (r) => `${r.task} · ${r.task_name}` },
    { label: 'review.queue.item', cell: (r) => r.item_name || r.item },
    { label: 'review.queue.outcome', cell: (r) => (r.outcome ? () => outcomeLabel(/** @type {string} */ (r.outcome), r.outcome_text) : '—') },
    { label: 'review.queue.date', cell: (r) => r.inspection_date || '—' },
    { label: 'review.queue.deadline', cell: (r) => (r.state === 'published' ? resultState('published') : deadlineWords(r.deadline)) },
  ];
  if (state) {
    columns.unshift({
      label: 'review.queue.select',
      cell: (r) =>
        selectable(state, r, tasks)
          ? h('input', {
              type: 'checkbox',
              class: 'bulk-select',
              id: `select-${r.id}`,
              value: String(r.id),
              'aria-label': () => t('review.queue.selectOne', { reference: r.target_name || r.target }),
            })
          : h('span', { class: 'muted sealed-note' }, tx('review.queue.sealed')),
    });
  }
  return dataTable({ caption: 'review.queue.caption', empty: 'review.queue.none', id: 'results', rows: results, columns });
}

/**
 * The results with a way to act on several: choose, check, confirm.
 * @param {string} state
 * @param {Result[]} results
 * @param {Map<number, string>} tasks
 */
function bulkForm(state, results, tasks) {
  const { action } = BULK[state];
  const check = h('div', { id: 'bulk-check-slot' });
  const status = statusLine();
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { id: 'bulk-form', novalidate: true, onsubmit: review },
      resultTable(results, tasks, state),
      h('h2', {}, tx('review.bulk.h2')),
      h('p', { class: 'hint' }, tx(`review.bulk.hint.${state}`)),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'bulk-button' }, tx(`review.bulk.${action}`))),
    )
  );
  return h('div', {}, form, check, status);

  /** The chosen results, in the table's order. */
  function chosen() {
    const ids = new Set(
      [...form.querySelectorAll('input.bulk-select:checked')].map((box) => Number(/** @type {HTMLInputElement} */ (box).value)),
    );
    return results.filter((result) => ids.has(result.id));
  }

  /** @param {SubmitEvent} event */
  function review(event) {
    event.preventDefault();
    const picked = chosen();
    if (!picked.length) {
      showErrors(form, [[null, tx('review.bulk.noneSelected')]]);
      return;
    }
    showErrors(form, []);
    const confirm = h('button', { type: 'button', id: 'bulk-confirm', onclick: () => act(picked) }, tx(`review.bulk.confirm.${action}`, { count: picked.length }));
    const panel = h(
      'section',
      { class: 'check-answers', id: 'bulk-check', 'aria-labelledby': 'bulk-check-h2' },
      h('h2', { id: 'bulk-check-h2', tabindex: '-1' }, tx('review.bulk.check.h2')),
      h('p', {}, tx(`review.bulk.check.${action}`, { count: picked.length })),
      h('ul', { id: 'bulk-chosen' }, picked.map((r) => h('li', {}, `${r.target_name || r.target} — ${r.task} · ${r.task_name} — ${r.item_name || r.item}`))),
      h(
        'div',
        { class: 'form-buttons' },
        confirm,
        ' ',
        h('button', { type: 'button', class: 'link-button', id: 'bulk-change', onclick: change }, tx('review.bulk.change')),
      ),
    );
    fill(check, panel);
    /** @type {HTMLElement} */ (panel.querySelector('h2')).focus();
  }

  function change() {
    check.replaceChildren();
    /** @type {HTMLElement} */ (form.querySelector('#bulk-button')).focus();
  }

  /** Sends the action for each chosen result, one after another. @param {Result[]} picked */
  async function act(picked) {
    const confirm = /** @type {HTMLButtonElement} */ (check.querySelector('#bulk-confirm'));
    confirm.disabled = true;
    /** @type {Array<[string | null, import('../../forms.js').Message]>} */
    const failures = [];
    let done = 0;
    for (const result of picked) {
      fill(status, tx('review.bulk.working', { done, count: picked.length }));
      try {
        await send('POST', `/api/results/${result.id}/${action}`);
        done += 1;
      } catch (error) {
        const reference = result.target_name || result.target;
        failures.push([
          null,
          error.status === 0
            ? () => t('review.bulk.failed', { reference, message: t('console.error.network') })
            : refusal(error, { within: 'review.bulk.failed', vars: { reference } }),
        ]);
      }
    }
    if (!failures.length) {
      go(`#/review?state=${state}&done=${action}&count=${done}`);
      return;
    }
    check.replaceChildren();
    fill(status, tx(`review.bulk.done.${action}`, { count: done }));
    showErrors(form, failures);
  }
}
