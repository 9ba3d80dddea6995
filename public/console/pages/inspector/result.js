// @ts-check
// The result form (#/assignments/{task}/{target}/{item}?step=…): one
// checklist point per page (?step=1…n), then the outcome, dates, texts and
// evidence (?step=finish), then "check your answers" and submit
// (?step=check), then a confirmation (?step=done). Each page is a URL, so
// the phone's back button walks back through the form. Everything typed
// is kept as a draft in the browser at once and sent to the server shortly
// after (drafts.js); the draft in the browser wins over the server's copy
// while it has not been sent. A submitted result is shown read only.

import { fill, h, tx } from '../../../lib/dom.js';
import { t } from '../../../lib/i18n.js';
import { loadOutcomes } from '../../../lib/outcomes.js';
import { dropDraft, loadDraft, onDraftChange } from '../../drafts.js';
import { get } from '../../session.js';
import { localTime } from '../data-table.js';
import { formHref, resultPath } from './data.js';
import { pointStep } from './point-step.js';
import { checkStep, doneStep, finishStep } from './finish-step.js';

/**
 * @typedef {import('../../drafts.js').DraftData} DraftData
 * @typedef {{task: number, target: string, item: string}} Place
 * @typedef {{place: Place, assignment: import('./data.js').Assignment,
 *   item: import('./data.js').AssignedItem, checklist: import('./data.js').ChecklistPoint[],
 *   result: import('./data.js').ResultView | null, data: DraftData, editable: boolean,
 *   outcomes: Array<{code: string, label_zh: string, label_en: string}>}} Form
 */

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} params
 * @param {URLSearchParams} query
 */
export async function resultPage(main, params, query) {
  const place = { task: Number(params.task), target: params.target, item: params.item };
  const form = await load(place);
  const step = query.get('step') || '';
  if (step === 'done') return doneStep(main, form);
  if (!form.editable) return checkStep(main, form);
  const number = Number(step || '1');
  if (step === 'finish' || (!step && !form.checklist.length)) return finishStep(main, form);
  if (step === 'check') return checkStep(main, form);
  const point = form.checklist.find((p) => p.number === number) || form.checklist[0];
  if (!point) return finishStep(main, form);
  return pointStep(main, form, point);
}

/** Everything the form needs: the assignment, the checklist, the result and the draft. */
async function load(/** @type {Place} */ place) {
  /** @type {import('./data.js').Assignment[]} */
  const assignments = await get('/api/me/assignments');
  const assignment = assignments.find((a) => a.task === place.task && a.target === place.target);
  const item = assignment && assignment.items.find((i) => i.item === place.item);
  if (!assignment || !item) throw new Error(t('inspector.result.notAssigned'));
  const [checklist, result, outcomes] = await Promise.all([
    get(`/api/items/${encodeURIComponent(place.item)}/checklist`).catch(() => []),
    get(resultPath(place)).catch((error) => {
      if (error.status === 404) return null;
      throw error;
    }),
    loadOutcomes(),
  ]);
  checklist.sort((/** @type {any} */ a, /** @type {any} */ b) => a.number - b.number);
  const editable = !result || result.state === 'draft' || result.state === 'returned';
  const local = loadDraft(place);
  // Submitted meanwhile (by a teammate, or from another device): the
  // server's copy is the record, a draft here could only be refused.
  if (local && !editable) dropDraft(place);
  /** @type {DraftData} */
  const data =
    editable && local && local.pending
      ? local.data
      : {
          outcome: (result && result.outcome) || '',
          outcome_text: (result && result.outcome_text) || '',
          inspection_date: (result && result.inspection_date) || '',
          summary: (result && result.summary) || '',
          notes: (result && result.notes) || '',
          answers: ((result && result.answers) || []).map((a) => ({ number: a.number, answer: a.answer, note: a.note })),
        };
  return { place, assignment, item, checklist, result, data, editable, outcomes };
}

/** The lines above every page of the form: where it is, a way back, and a returned result's reason. */
export function formHead(/** @type {Form} */ form, /** @type {string} */ backHref) {
  const { assignment, item, result } = form;
  return [
    h('p', { class: 'back-link' }, h('a', { href: backHref, id: 'back' }, tx('inspector.back'))),
    h(
      'p',
      { class: 'form-caption' },
      `${assignment.target_name || assignment.target} · ${item.item_name || item.item}`,
    ),
    result && result.state === 'returned' && result.return_reason
      ? h(
          'div',
          { class: 'notice notice-warn', id: 'return-reason' },
          h('strong', {}, tx('inspector.returned.label')),
          ' ',
          result.return_reason,
        )
      : null,
  ];
}

/** Where the draft of this form is: in the browser, waiting, sent, refused. Updated as it changes. */
export function draftStatus(/** @type {Place} */ place) {
  const el = h('p', { id: 'draft-status', class: 'draft-status', role: 'status' });
  const draw = () => {
    const draft = loadDraft(place);
    if (!draft) return fill(el);
    const state = !draft.pending ? 'sent' : draft.error ? 'refused' : navigator.onLine ? 'waiting' : 'offline';
    el.dataset.state = state;
    fill(
      el,
      state === 'sent'
        ? tx('inspector.draft.sent', { at: localTime(draft.saved_at) })
        : state === 'refused'
          ? tx('inspector.draft.refused', { error: draft.error })
          : tx(`inspector.draft.${state}`),
    );
  };
  draw();
  const stop = onDraftChange(() => (el.isConnected ? draw() : stop()));
  return el;
}

/** The href of the form's pages, and of the assignment list. */
export function stepHref(/** @type {Form} */ form, /** @type {string} */ step) {
  return step === 'list' ? '#/assignments' : formHref(form.place, step);
}
