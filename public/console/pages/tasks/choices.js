// @ts-check
// Groups of checkboxes and radio buttons, as a fieldset with a legend, a
// hint and one error message for the group. The error belongs to the
// group's first box (its id is `<id>-0`), which the error summary links to.

import { h } from '../../../lib/dom.js';

/**
 * @typedef {{value: string, label: any, hint?: any}} Choice
 */

/**
 * A fieldset of checkboxes (`type` 'checkbox') or radio buttons ('radio')
 * named `id`; `checked` are the values ticked at first.
 * @param {{id: string, legend: any, hint?: any, type?: 'checkbox' | 'radio',
 *   choices: Choice[], checked?: string[], empty?: any, inline?: boolean}} spec
 */
export function choices({ id, legend, hint, type = 'checkbox', choices, checked = [], empty, inline }) {
  const first = `${id}-0`;
  const described = [hint ? `${id}-hint` : null, `${first}-error`].filter(Boolean).join(' ');
  return h(
    'fieldset',
    { class: inline ? 'choices choices-inline' : 'choices', id: `${id}-group`, 'aria-describedby': described },
    h('legend', {}, legend),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('p', { class: 'field-error', id: `${first}-error`, hidden: true }),
    choices.length
      ? choices.map((choice, index) => {
          const boxId = `${id}-${index}`;
          return h(
            'div',
            { class: 'checkbox-field' },
            h('input', {
              type,
              id: boxId,
              name: id,
              value: choice.value,
              checked: checked.includes(choice.value),
              'aria-describedby': choice.hint ? `${boxId}-hint` : null,
            }),
            h('label', { for: boxId }, choice.label),
            choice.hint ? h('p', { class: 'hint choice-hint', id: `${boxId}-hint` }, choice.hint) : null,
          );
        })
      : h('p', { class: 'muted' }, empty),
  );
}

/**
 * The values ticked in the group `id` of `root`.
 * @param {ParentNode} root
 * @param {string} id
 * @returns {string[]}
 */
export function ticked(root, id) {
  return [...root.querySelectorAll(`input[name="${id}"]:checked`)].map((box) => /** @type {HTMLInputElement} */ (box).value);
}

/**
 * The id of the box of `value` in the group `id` (for an error about it),
 * or the group's first box.
 * @param {ParentNode} root
 * @param {string} id
 * @param {string} [value]
 */
export function boxOf(root, id, value) {
  const boxes = [...root.querySelectorAll(`input[name="${id}"]`)];
  const box = boxes.find((b) => /** @type {HTMLInputElement} */ (b).value === value) || boxes[0];
  return box ? box.id : null;
}
