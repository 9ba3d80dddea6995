// @ts-check
// The end of the result form: the outcome (proposed from the checklist's
// answers, confirmed by the inspector from the national vocabulary), the
// date, the public summary, the internal notes and the evidence; then
// "check your answers" with a change link on every line and the submit
// button; then the confirmation. A result already submitted is shown with
// the same summary, read only.

import { fill, h, tx } from '../../../lib/dom.js';
import { append } from '../tasks/page.js';
import { getLang, t } from '../../../lib/i18n.js';
import { outcomeLabel } from '../../../lib/outcomes.js';
import { dropDraft, draftKey, keepDraft, loadDraft, sendDraft } from '../../drafts.js';
import { confirmation, errorsOf, field, input, keptRefusal, showErrors } from '../../forms.js';
import { go } from '../../router.js';
import { send, user } from '../../session.js';
import { evidencePart } from './evidence.js';
import { draftStatus, formHead, stepHref } from './form-parts.js';

/** @typedef {import('./form-parts.js').Form} Form */

/** The outcome the answers point to: a failed point means something to rectify. */
export function proposedOutcome(/** @type {Form} */ form) {
  if (!form.checklist.length) return '';
  return form.data.answers.some((a) => a.answer === 'non_compliant') ? 'rectify' : 'no_problem';
}

/** Today in the reader's time zone, YYYY-MM-DD. */
function today() {
  const d = new Date();
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The outcome, date, texts and evidence.
 * @param {HTMLElement} main
 * @param {Form} form
 */
export function finishStep(main, form) {
  const { data, checklist } = form;
  const failed = data.answers.some((a) => a.answer === 'non_compliant');
  const proposal = proposedOutcome(form);
  if (!data.outcome && proposal) data.outcome = proposal;
  if (!data.inspection_date) data.inspection_date = today();
  const outcomes = form.outcomes.length ? form.outcomes : [{ code: data.outcome || 'no_problem', label_zh: '', label_en: '' }];
  const radios = outcomes.map((o) =>
    h(
      'div',
      { class: 'choice' },
      h('input', {
        type: 'radio',
        name: 'outcome',
        id: `outcome-${o.code}`,
        value: o.code,
        checked: data.outcome === o.code,
        disabled: failed && o.code === 'no_problem',
      }),
      h('label', { for: `outcome-${o.code}` }, () => outcomeLabel(o.code, getLang() === 'zh' ? o.label_zh : o.label_en)),
      failed && o.code === 'no_problem' ? h('p', { class: 'hint' }, tx('inspector.outcome.notWithFailed')) : null,
    ),
  );
  const text = input('outcome-text', { value: data.outcome_text, maxlength: 500, class: 'wide-input' });
  const date = input('inspection-date', { type: 'date', value: data.inspection_date });
  const summary = h('textarea', { id: 'summary', name: 'summary', rows: 4, maxlength: 2000 }, data.summary);
  const notes = h('textarea', { id: 'notes', name: 'notes', rows: 3, maxlength: 4000 }, data.notes);
  const keep = () => {
    const chosen = /** @type {HTMLInputElement | null} */ (formEl.querySelector('input[name="outcome"]:checked'));
    data.outcome = chosen ? chosen.value : '';
    data.outcome_text = text.value;
    data.inspection_date = date.value;
    data.summary = summary.value;
    data.notes = notes.value;
    keepDraft(form.place, data);
  };
  const formEl = /** @type {HTMLFormElement} */ (h(
    'form',
    { class: 'stack-form finish-form', id: 'finish-form', novalidate: true, oninput: keep, onchange: keep },
    h(
      'fieldset',
      { class: 'field', id: 'outcome', 'aria-describedby': 'outcome-hint outcome-error' },
      h('legend', {}, tx('inspector.outcome.legend')),
      h(
        'p',
        { class: 'hint', id: 'outcome-hint' },
        proposal
          ? () =>
              t(failed ? 'inspector.outcome.proposed.failed' : 'inspector.outcome.proposed.passed', {
                outcome: outcomeLabel(proposal),
              })
          : tx('inspector.outcome.hint'),
      ),
      h('p', { class: 'field-error', id: 'outcome-error', hidden: true }),
      radios,
    ),
    field({ label: tx('inspector.field.outcomeText'), hint: tx('inspector.field.outcomeText.hint'), control: text, wide: true }),
    field({ label: tx('inspector.field.date'), control: date }),
    field({ label: tx('inspector.field.summary'), hint: tx('inspector.field.summary.hint'), control: summary, wide: true }),
    field({ label: tx('inspector.field.notes'), hint: tx('inspector.field.notes.hint'), control: notes, wide: true }),
  ));
  formEl.addEventListener('submit', (/** @type {Event} */ event) => {
    event.preventDefault();
    keep();
    /** @type {Array<[string | null, import('../../forms.js').Message]>} */
    const errors = [];
    if (!data.outcome) errors.push(['outcome', tx('inspector.outcome.required')]);
    if (data.outcome === 'other' && !data.outcome_text.trim()) errors.push([text.id, tx('inspector.field.outcomeText.required')]);
    if (!data.inspection_date) errors.push([date.id, tx('inspector.field.date.required')]);
    if (errors.length) return showErrors(formEl, errors);
    go(stepHref(form, 'check'));
  });
  const back = checklist.length ? stepHref(form, String(checklist[checklist.length - 1].number)) : stepHref(form, 'list');
  append(main,
    ...formHead(form, back),
    h('h1', {}, tx('inspector.finish.h1')),
    formEl,
    evidencePart(form),
    // After the evidence, which a phone shows below the form: the button
    // belongs to the form all the same.
    h('p', {}, h('button', { type: 'submit', id: 'to-check', form: 'finish-form' }, tx('inspector.finish.continue'))),
    draftStatus(form.place),
  );
}

/**
 * One line of the summary list, with a change link while editable.
 * @param {Form} form
 * @param {string | (() => string)} label
 * @param {any} value
 * @param {string} step
 * @param {string} [id]
 */
function line(form, label, value, step, id) {
  return h(
    'div',
    { class: 'summary-row', id },
    h('dt', {}, label),
    h('dd', {}, value),
    form.editable
      ? h('dd', { class: 'summary-action' }, h('a', { href: stepHref(form, step) }, tx('inspector.check.change'), h('span', { class: 'visually-hidden' }, ' ', label)))
      : h('dd', {}),
  );
}

/**
 * Check your answers, then submit (read only once submitted).
 * @param {HTMLElement} main
 * @param {Form} form
 */
export function checkStep(main, form) {
  const { data, checklist, result } = form;
  const answers = checklist.length
    ? checklist.map((p) => {
        const a = data.answers.find((x) => x.number === p.number);
        const words = a && a.answer ? t(`inspector.answer.${a.answer}`) : t('inspector.check.unanswered');
        return line(form, `${p.number}. ${p.point}`, [words, a && a.note ? h('br') : null, a && a.note ? a.note : null], String(p.number), `check-point-${p.number}`);
      })
    : (data.answers || []).map((a) => line(form, `${a.number}`, t(`inspector.answer.${a.answer}`), 'finish'));
  const missing = checklist.filter((p) => !data.answers.some((a) => a.number === p.number && a.answer));
  const status = h('div', { id: 'submit-status' });
  append(main,
    ...formHead(form, form.editable ? stepHref(form, 'finish') : stepHref(form, 'list')),
    h('h1', {}, tx(form.editable ? 'inspector.check.h1' : 'inspector.view.h1')),
    result && !form.editable
      ? h('p', { class: 'notice notice-info', id: 'result-state' }, () => t(`inspector.state.${result.state}`))
      : null,
    answers.length ? [h('h2', {}, tx('inspector.check.answers')), h('dl', { class: 'summary-list', id: 'check-answers' }, answers)] : null,
    h('h2', {}, tx('inspector.check.result')),
    h(
      'dl',
      { class: 'summary-list', id: 'check-result' },
      line(form, tx('inspector.outcome.legend'), () => (data.outcome ? outcomeLabel(data.outcome) : t('inspector.none')), 'finish', 'check-outcome'),
      data.outcome_text ? line(form, tx('inspector.field.outcomeText'), data.outcome_text, 'finish') : null,
      line(form, tx('inspector.field.date'), data.inspection_date || t('inspector.none'), 'finish', 'check-date'),
      line(form, tx('inspector.field.summary'), data.summary || t('inspector.none'), 'finish', 'check-summary'),
      line(form, tx('inspector.field.notes'), data.notes || t('inspector.none'), 'finish', 'check-notes'),
      form.editable ? line(form, tx('inspector.evidence.h2'), filesWords(form), 'finish', 'check-files') : null,
    ),
    form.editable ? null : evidencePart(form),
    form.editable
      ? [
          h('h2', {}, tx('inspector.check.submit.h2')),
          h('p', {}, tx('inspector.check.submit.intro')),
          missing.length
            ? h('p', { class: 'notice notice-warn', id: 'missing-points' }, tx('inspector.check.missing', { numbers: missing.map((p) => p.number).join(', ') }))
            : null,
          status,
          h('button', { type: 'button', id: 'submit-result', onclick: () => submit(form, status) }, tx('inspector.check.submit')),
          draftStatus(form.place),
        ]
      : null,
  );
}

/** The evidence in short: the files' names, or none. */
function filesWords(/** @type {Form} */ form) {
  const files = (form.result && form.result.attachments) || [];
  return files.length ? h('ul', { class: 'plain' }, files.map((f) => h('li', {}, f.name))) : t('inspector.evidence.none');
}

/** Sends the draft if it waits, then enters the result for review. */
async function submit(/** @type {Form} */ form, /** @type {HTMLElement} */ status) {
  const me = user();
  const form_ = /** @type {HTMLFormElement} */ (h('form', {}));
  status.replaceChildren(form_);
  const draft = loadDraft(form.place);
  if (!navigator.onLine) return showErrors(form_, [[null, tx('inspector.check.offline')]]);
  if (!draft || draft.pending) keepDraft(form.place, form.data);
  if (me && !(await sendDraft(draftKey(me.id, form.place)))) {
    const now = loadDraft(form.place);
    return showErrors(form_, [[null, now && now.error ? keptRefusal(now) : tx('inspector.check.offline')]]);
  }
  try {
    const path = `/api/me/results/${form.place.task}/${encodeURIComponent(form.place.target)}/${encodeURIComponent(form.place.item)}/submit`;
    await send('POST', path);
    dropDraft(form.place);
    go(stepHref(form, 'done'));
  } catch (error) {
    showErrors(form_, errorsOf(error));
  }
}

/**
 * The confirmation after submitting.
 * @param {HTMLElement} main
 * @param {Form} form
 */
export function doneStep(main, form) {
  const { result, assignment, item } = form;
  append(main,
    h('h1', {}, tx('inspector.done.h1')),
    fill(
      h('div', { id: 'submitted' }),
      confirmation(
        tx('inspector.done.title', { target: assignment.target_name || assignment.target, item: item.item_name || item.item }),
        h('p', {}, tx('inspector.done.body')),
        result ? h('p', {}, tx('inspector.done.reference', { reference: result.reference })) : null,
      ),
    ),
    h('p', {}, h('a', { href: '#/assignments', id: 'back-to-assignments' }, tx('inspector.done.back'))),
  );
}
