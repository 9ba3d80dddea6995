// @ts-check
// The result form (#/assignments/{task}/{target}/{item}?step=…): one
// checklist point per page (?step=1…n), then the outcome, dates, texts and
// evidence (?step=finish), then "check your answers" and submit
// (?step=check), then a confirmation (?step=done). Each page is a URL, so
// the phone's back button walks back through the form. Everything typed
// is kept as a draft in the browser at once and sent to the server shortly
// after (drafts.js); the draft in the browser wins over the server's copy
// while it has not been sent. A submitted result is shown read only.

import { t } from '../../../lib/i18n.js';
import { loadOutcomes } from '../../../lib/outcomes.js';
import { dropDraft, loadDraft } from '../../drafts.js';
import { get } from '../../session.js';
import { resultPath } from './data.js';
import { pointStep } from './point-step.js';
import { checkStep, doneStep, finishStep } from './finish-step.js';

/**
 * @typedef {import('./form-parts.js').Form} Form
 * @typedef {import('./form-parts.js').Place} Place
 * @typedef {import('../../drafts.js').DraftData} DraftData
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

