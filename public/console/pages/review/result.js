// @ts-check
// One result for its reviewer (#/review/12): what was found (outcome,
// summary, internal notes), the checklist answers and the evidence, the
// team, the dates and every step; and the decision its state allows:
// approve or return with a reason (submitted), publish once the task is
// revealed (approved; the page says why not before), or correct with a
// reason (published).

import { h, tx } from '../../../lib/dom.js';
import { loadOutcomes, outcomeLabel } from '../../../lib/outcomes.js';
import { confirmation, errorsOf, field, input, refusal, select, showErrors } from '../../forms.js';
import { go } from '../../router.js';
import { get, send } from '../../session.js';
import { dataTable, localTime } from '../data-table.js';
import { append } from '../tasks/page.js';
import { deadlineWords, resultState } from './data.js';
import { answersSection, attachmentsSection } from './evidence.js';

/** @typedef {import('./data.js').Result} Result */

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} params
 * @param {URLSearchParams} query
 */
export async function resultPage(main, params, query) {
  const back = h('p', { class: 'back-link' }, h('a', { href: '#/review' }, tx('review.result.back')));
  /** @type {Result | null} */
  let result = null;
  if (/^[1-9][0-9]{0,17}$/.test(params.id)) {
    result = await get(`/api/results/${params.id}`).catch((error) => {
      if (error.status === 404 || error.status === 403) return null;
      throw error;
    });
  }
  if (!result) {
    main.append(back, h('h1', {}, tx('review.result.title')), h('p', { class: 'notice notice-info', id: 'result-not-found' }, tx('review.result.notfound')));
    return;
  }
  const found = result;
  const [taskState, team, outcomes] = await Promise.all([
    get(`/api/tasks/${found.task}`).then((/** @type {{state: string}} */ task) => task.state).catch(() => 'unknown'),
    teamOf(found),
    loadOutcomes(),
  ]);
  const done = query.get('done');
  append(main,
    back,
    h('h1', {}, tx('review.result.h1', { target: found.target_name || found.target })),
    done ? Object.assign(confirmation(tx(`review.done.${done}`)), { id: 'result-done' }) : null,
    facts(found),
    h(
      'section',
      { 'aria-labelledby': 'team-h2', id: 'team' },
      h('h2', { id: 'team-h2' }, tx('review.team.h2')),
      team.length ? h('ul', { class: 'team', id: 'team-list' }, team.map((name) => h('li', {}, name))) : h('p', { class: 'muted' }, tx('review.team.none')),
    ),
    answersSection(found),
    attachmentsSection(found),
    steps(found),
    actions(found, taskState, outcomes),
  );
}

/** The team's names, from the task's selection (empty if it cannot be read). */
async function teamOf(/** @type {Result} */ result) {
  try {
    /** @type {{targets: Array<{id: string, inspectors: Array<{id: string, name: string | null}>}>}} */
    const selection = await get(`/api/tasks/${result.task}/selection`);
    const target = selection.targets.find((row) => row.id === result.target);
    return target ? target.inspectors.map((inspector) => `${inspector.name || inspector.id} (${inspector.id})`) : [];
  } catch (_) {
    return [];
  }
}

/** What the result says and where it stands. */
function facts(/** @type {Result} */ r) {
  /** @type {Array<[string, any]>} */
  const rows = [
    ['review.result.reference', h('code', {}, r.reference)],
    ['review.result.state', resultState(r.state)],
    ['review.result.task', h('a', { href: `#/tasks/${r.task}` }, `${r.task} · ${r.task_name}`)],
    ['review.result.target', `${r.target_name || ''} (${r.target})`],
    ['review.result.item', `${r.item_name || ''} (${r.item})`],
    ['review.result.outcome', r.outcome ? () => outcomeLabel(/** @type {string} */ (r.outcome), r.outcome_text) + (r.outcome_text ? ` — ${r.outcome_text}` : '') : '—'],
    ['review.result.date', r.inspection_date || '—'],
    ['review.result.deadline', r.state === 'published' ? '—' : deadlineWords(r.deadline)],
    ['review.result.summary', r.summary || '—'],
    ['review.result.notes', r.notes || '—'],
    ['review.result.recorded', tx('review.result.by', { who: r.recorded_by, when: localTime(r.created_at) })],
    ['review.result.submitted', r.submitted_at ? localTime(r.submitted_at) : '—'],
  ];
  if (r.reviewed_by) rows.push(['review.result.reviewed', tx('review.result.by', { who: r.reviewed_by, when: localTime(r.reviewed_at) })]);
  if (r.return_reason) rows.push(['review.result.returnReason', r.return_reason]);
  if (r.published_by) rows.push(['review.result.published', tx('review.result.by', { who: r.published_by, when: localTime(r.published_at) })]);
  if (r.corrects) rows.push(['review.result.corrects', h('code', {}, r.corrects)]);
  if (r.correction_reason) rows.push(['review.result.correctionReason', r.correction_reason]);
  return h(
    'section',
    { 'aria-labelledby': 'facts-h2' },
    h('h2', { id: 'facts-h2' }, tx('review.result.facts')),
    h('dl', { class: 'summary-list', id: 'result-facts' }, rows.map(([key, value]) => h('div', { class: 'summary-row' }, h('dt', {}, tx(key)), h('dd', {}, value)))),
  );
}

/** Every step of the result, oldest first. */
function steps(/** @type {Result} */ r) {
  return h(
    'section',
    { 'aria-labelledby': 'steps-h2' },
    h('h2', { id: 'steps-h2' }, tx('review.steps.h2')),
    dataTable({
      caption: 'review.steps.caption',
      empty: 'review.steps.none',
      id: 'steps',
      rows: r.steps || [],
      columns: [
        { label: 'review.steps.at', cell: (s) => localTime(s.at) },
        { label: 'review.steps.actor', cell: (s) => s.actor },
        { label: 'review.steps.step', header: true, cell: (s) => s.step },
        { label: 'review.steps.reason', cell: (s) => s.reason },
      ],
    }),
  );
}

/**
 * The decisions the result's state allows.
 * @param {Result} r
 * @param {string} taskState
 * @param {Array<{code: string, label_zh: string, label_en: string}>} outcomes
 */
function actions(r, taskState, outcomes) {
  /** @type {any[]} */
  let parts = [];
  if (r.state === 'submitted') parts = [approveForm(r), returnForm(r)];
  else if (r.state === 'approved') parts = [taskState === 'revealed' ? publishForm(r) : h('p', { class: 'notice notice-info', id: 'publish-sealed' }, tx('review.publish.sealed', { task: r.task }))];
  else if (r.state === 'published') parts = [correctForm(r, outcomes)];
  if (!parts.length) return null;
  return h('section', { 'aria-labelledby': 'actions-h2', class: 'review-actions' }, h('h2', { id: 'actions-h2' }, tx('review.actions.h2')), ...parts);
}

/**
 * A form for one decision: on submit, `check` its fields, then send and
 * come back to the page with a confirmation; a refusal in its error summary.
 * @param {{id: string, heading: string, hint: string, fields?: any, button: string, danger?: boolean,
 *   check?: (form: HTMLFormElement) => Array<[string | null, import('../../forms.js').Message]>,
 *   request: (form: HTMLFormElement) => {path: string, body?: any}, done: (answer: any) => string,
 *   fieldIds?: Record<string, string>}} spec
 */
function decision(spec) {
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { id: `${spec.id}-form`, class: 'stack-form', novalidate: true, onsubmit: submit },
      spec.fields || null,
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: `${spec.id}-button`, class: spec.danger ? 'danger' : null }, tx(spec.button))),
    )
  );
  return h('div', { class: 'decision', id: `${spec.id}-section` }, h('h3', {}, tx(spec.heading)), h('p', { class: 'hint' }, tx(spec.hint)), form);

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    const errors = spec.check ? spec.check(form) : [];
    showErrors(form, errors);
    if (errors.length) return;
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    button.disabled = true;
    try {
      const { path, body } = spec.request(form);
      const answer = await send('POST', path, body);
      go(spec.done(answer));
    } catch (error) {
      const [[id]] = errorsOf(error, spec.fieldIds);
      showErrors(form, [[id, refusal(error, { within: 'review.refused' })]]);
    } finally {
      button.disabled = false;
    }
  }
}

/** The value of a form's control. @param {HTMLFormElement} form @param {string} id */
function value(form, id) {
  return /** @type {HTMLInputElement} */ (form.querySelector(`#${id}`)).value.trim();
}

function approveForm(/** @type {Result} */ r) {
  return decision({
    id: 'approve',
    heading: 'review.approve.h3',
    hint: 'review.approve.hint',
    button: 'review.approve.button',
    request: () => ({ path: `/api/results/${r.id}/approve` }),
    done: () => `#/review/${r.id}?done=approved`,
  });
}

function returnForm(/** @type {Result} */ r) {
  const reason = h('textarea', { id: 'return-reason', name: 'return-reason', rows: 3, maxlength: 1000 });
  return decision({
    id: 'return',
    heading: 'review.return.h3',
    hint: 'review.return.reasonHint',
    button: 'review.return.button',
    fields: field({ label: tx('review.return.reason'), control: reason, wide: true }),
    check: (form) => (value(form, 'return-reason') ? [] : [['return-reason', tx('review.return.missing')]]),
    request: (form) => ({ path: `/api/results/${r.id}/return`, body: { reason: value(form, 'return-reason') } }),
    done: () => `#/review/${r.id}?done=returned`,
    fieldIds: { reason: 'return-reason' },
  });
}

function publishForm(/** @type {Result} */ r) {
  return decision({
    id: 'publish',
    heading: 'review.publish.h3',
    hint: 'review.publish.hint',
    button: 'review.publish.button',
    request: () => ({ path: `/api/results/${r.id}/publish` }),
    done: () => `#/review/${r.id}?done=published`,
  });
}

/**
 * @param {Result} r
 * @param {Array<{code: string, label_zh: string, label_en: string}>} outcomes
 */
function correctForm(r, outcomes) {
  const outcome = select(
    'correct-outcome',
    outcomes.map((o) => [o.code, () => outcomeLabel(o.code)]),
  );
  /** @type {HTMLSelectElement} */ (outcome).value = r.outcome || '';
  const fields = [
    field({ label: tx('review.correct.outcome'), control: outcome }),
    field({ label: tx('review.correct.outcomeText'), control: input('correct-outcome-text', { value: r.outcome_text || '' }), wide: true }),
    field({ label: tx('review.correct.date'), control: input('correct-date', { type: 'date', value: r.inspection_date || '' }) }),
    field({ label: tx('review.correct.summary'), control: h('textarea', { id: 'correct-summary', name: 'correct-summary', rows: 3 }, r.summary || ''), wide: true }),
    field({ label: tx('review.correct.reason'), control: h('textarea', { id: 'correct-reason', name: 'correct-reason', rows: 2 }), wide: true }),
  ];
  return decision({
    id: 'correct',
    heading: 'review.correct.h3',
    hint: 'review.correct.hint',
    button: 'review.correct.button',
    danger: true,
    fields,
    check: (form) => {
      /** @type {Array<[string | null, import('../../forms.js').Message]>} */
      const errors = [];
      if (!value(form, 'correct-date')) errors.push(['correct-date', tx('review.correct.missingDate')]);
      if (!value(form, 'correct-reason')) errors.push(['correct-reason', tx('review.correct.missingReason')]);
      return errors;
    },
    request: (form) => ({
      path: `/api/results/${r.id}/correct`,
      body: {
        outcome: value(form, 'correct-outcome'),
        outcome_text: value(form, 'correct-outcome-text'),
        inspection_date: value(form, 'correct-date'),
        summary: value(form, 'correct-summary'),
        reason: value(form, 'correct-reason'),
      },
    }),
    done: (answer) => `#/review/${answer && answer.id ? answer.id : r.id}?done=corrected`,
    fieldIds: { outcome: 'correct-outcome', outcome_text: 'correct-outcome-text', inspection_date: 'correct-date', summary: 'correct-summary', reason: 'correct-reason' },
  });
}
