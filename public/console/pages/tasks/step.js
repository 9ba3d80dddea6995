// @ts-check
// One irreversible step of a task (commit, draw, reveal, abandon): a form
// that says what the step publishes, asks the user to confirm, sends the
// request, and on success goes to the task's page with a confirmation.
// Refusals are shown in the form's error summary and beside the field the
// server names.

import { h, tx } from '../../../lib/dom.js';
import { refusal, showErrors } from '../../forms.js';
import { go } from '../../router.js';
import { send } from '../../session.js';

/**
 * @typedef {{
 *   id: string,
 *   task: import('./data.js').TaskView,
 *   heading: any,
 *   publishes: any,
 *   fields?: any,
 *   confirm: any,
 *   button: any,
 *   danger?: boolean,
 *   check?: (form: HTMLFormElement) => Array<[string | null, import('../../forms.js').Message]>,
 *   request: (form: HTMLFormElement) => {path: string, body?: any},
 *   done: string,
 *   fieldIds?: Record<string, string>,
 *   refusal?: (error: import('../../../lib/api.js').ApiError) => any,
 * }} Step
 */

/** The section of a step. @param {Step} step */
export function stepSection(step) {
  const confirmId = `${step.id}-confirm`;
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'step-form', id: `${step.id}-form`, novalidate: true, onsubmit: submit },
      step.fields || null,
      h(
        'div',
        { class: 'checkbox-field confirm-field' },
        h('input', { type: 'checkbox', id: confirmId, name: confirmId, 'aria-describedby': `${confirmId}-error` }),
        h('label', { for: confirmId }, step.confirm),
        h('p', { class: 'field-error', id: `${confirmId}-error`, hidden: true }),
      ),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: `${step.id}-button`, class: step.danger ? 'danger' : null }, step.button)),
    )
  );
  const extra = h('div', { class: 'step-refusal', 'aria-live': 'polite' });
  return h(
    'section',
    { class: `step step-${step.id}`, id: `${step.id}-section`, 'aria-labelledby': `${step.id}-h2` },
    h('h2', { id: `${step.id}-h2` }, step.heading),
    h('div', { class: 'publishes' }, step.publishes),
    form,
    extra,
  );

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    extra.replaceChildren();
    const errors = step.check ? step.check(form) : [];
    if (!(/** @type {HTMLInputElement} */ (form.querySelector(`#${confirmId}`)).checked)) {
      errors.push([confirmId, tx('tasks.step.confirm.missing')]);
    }
    showErrors(form, errors);
    if (errors.length) return;
    const button = /** @type {HTMLButtonElement} */ (form.querySelector(`#${step.id}-button`));
    button.disabled = true;
    try {
      const { path, body } = step.request(form);
      await send('POST', path, body);
      go(`#/tasks/${step.task.id}?done=${step.done}`);
    } catch (error) {
      const id = error.field && step.fieldIds ? step.fieldIds[error.field] || null : null;
      showErrors(form, [[id, refusal(error, { within: 'tasks.step.refused' })]]);
      if (step.refusal) extra.replaceChildren(step.refusal(error) || '');
    } finally {
      button.disabled = false;
    }
  }
}

/** A list of what a step publishes, with its heading. @param {string} key @param {string[]} lines */
export function publishesList(key, lines) {
  return [h('p', {}, tx(key)), h('ul', {}, lines.map((line) => h('li', {}, tx(line))))];
}
