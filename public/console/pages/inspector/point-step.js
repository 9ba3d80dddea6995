// @ts-check
// One checklist point per page: the point as the question, its legal basis
// and how to check it, the answer (符合 / 不符合 / 不涉及) and a note. Each
// change is kept as the draft at once; "continue" goes to the next point.

import { h, tx } from '../../../lib/dom.js';
import { append } from '../tasks/page.js';
import { t } from '../../../lib/i18n.js';
import { keepDraft } from '../../drafts.js';
import { field, showErrors } from '../../forms.js';
import { go } from '../../router.js';
import { draftStatus, formHead, stepHref } from './form-parts.js';

/** The answers a point takes, in the order offered. */
export const ANSWERS = ['compliant', 'non_compliant', 'not_applicable'];

/**
 * @param {HTMLElement} main
 * @param {import('./form-parts.js').Form} form
 * @param {import('./data.js').ChecklistPoint} point
 */
export function pointStep(main, form, point) {
  const { checklist, data } = form;
  const index = checklist.indexOf(point);
  const total = checklist.length;
  const before = index > 0 ? stepHref(form, String(checklist[index - 1].number)) : stepHref(form, 'list');
  const after = index + 1 < total ? String(checklist[index + 1].number) : 'finish';
  const current = data.answers.find((a) => a.number === point.number);
  const note = h('textarea', { id: 'point-note', name: 'note', rows: 3, maxlength: 1000 }, current ? current.note : '');
  const radios = ANSWERS.map((answer) =>
    h(
      'div',
      { class: 'choice' },
      h('input', {
        type: 'radio',
        name: 'answer',
        id: `answer-${answer}`,
        value: answer,
        checked: !!current && current.answer === answer,
      }),
      h('label', { for: `answer-${answer}` }, tx(`inspector.answer.${answer}`)),
    ),
  );
  const keep = () => {
    const chosen = /** @type {HTMLInputElement | null} */ (formEl.querySelector('input[name="answer"]:checked'));
    const others = data.answers.filter((a) => a.number !== point.number);
    if (chosen || note.value) {
      others.push({ number: point.number, answer: chosen ? chosen.value : '', note: note.value });
    }
    data.answers = others.sort((a, b) => a.number - b.number);
    keepDraft(form.place, data);
  };
  const formEl = /** @type {HTMLFormElement} */ (h(
    'form',
    { class: 'stack-form point-form', novalidate: true, oninput: keep, onchange: keep },
    h(
      'fieldset',
      { class: 'field', id: 'answer', 'aria-describedby': 'point-basis point-method answer-error' },
      h('legend', {}, h('h1', { class: 'point-text' }, point.point)),
      h('p', { class: 'point-basis', id: 'point-basis' }, h('strong', {}, tx('inspector.point.basis')), ' ', point.legal_basis || t('inspector.none')),
      h('p', { class: 'point-method', id: 'point-method' }, h('strong', {}, tx('inspector.point.method')), ' ', point.method || t('inspector.none')),
      h('p', { class: 'field-error', id: 'answer-error', hidden: true }),
      radios,
    ),
    field({ label: tx('inspector.point.note'), hint: tx('inspector.point.note.hint'), control: note, wide: true }),
    h('button', { type: 'submit', id: 'next' }, tx(after === 'finish' ? 'inspector.point.last' : 'inspector.point.next')),
  ));
  formEl.addEventListener('submit', (/** @type {Event} */ event) => {
    event.preventDefault();
    if (!formEl.querySelector('input[name="answer"]:checked')) {
      showErrors(formEl, [['answer', tx('inspector.point.required')]]);
      return;
    }
    keep();
    go(stepHref(form, after));
  });
  append(main,
    ...formHead(form, before),
    h(
      'p',
      { class: 'progress-text', id: 'progress' },
      tx('inspector.point.progress', { n: index + 1, total }),
    ),
    h('progress', { value: index + 1, max: total, 'aria-labelledby': 'progress' }),
    formEl,
    draftStatus(form.place),
  );
}
