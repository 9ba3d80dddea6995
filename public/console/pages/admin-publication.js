// @ts-check
// What the public site publishes of the directories (#/admin/publication):
// which fields of the inspector list, and whether the directories' sizes
// by department, region and risk class are shown. Each a checkbox with
// what it shows; saved together, in effect at once.

import { h, tx } from '../../lib/dom.js';
import { confirmation, errorsOf, showErrors } from '../forms.js';
import { get, send } from '../session.js';
import { adminHeading } from './admin-layout.js';

/** The settings, in the order of the form. */
const FIELDS = /** @type {const} */ ([
  'inspector_names',
  'inspector_certificates',
  'inspector_units',
  'inspector_items',
  'inspector_regions',
  'directory_sizes',
]);

/** @param {HTMLElement} main */
export async function publicationPage(main) {
  adminHeading(main, 'publication', tx('admin.publication.h1'));
  /** @type {Record<string, boolean>} */
  const current = await get('/api/settings/publication');
  /** @type {Record<string, HTMLInputElement>} */
  const boxes = {};
  const choices = FIELDS.map((name) => {
    const id = `publication-${name.replaceAll('_', '-')}`;
    boxes[name] = /** @type {HTMLInputElement} */ (
      h('input', { type: 'checkbox', id, name: id, checked: !!current[name], 'aria-describedby': `${id}-hint` })
    );
    return h(
      'div',
      { class: 'choice' },
      boxes[name],
      h('label', { for: id }, tx(`admin.publication.${name}`)),
      h('p', { class: 'hint', id: `${id}-hint` }, tx(`admin.publication.${name}.hint`)),
    );
  });
  const done = h('div', { 'aria-live': 'polite' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack-form', novalidate: true, onsubmit: submit },
      h('fieldset', { class: 'choices' }, h('legend', {}, tx('admin.publication.legend')), choices),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'publication-save' }, tx('admin.publication.save'))),
    )
  );
  main.append(h('p', { class: 'lead' }, tx('admin.publication.intro')), done, form);

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    /** @type {Record<string, boolean>} */
    const body = {};
    for (const name of FIELDS) body[name] = boxes[name].checked;
    try {
      await send('PUT', '/api/settings/publication', body);
      showErrors(form, []);
      const panel = confirmation(
        tx('admin.publication.saved.h2'),
        h('p', { id: 'publication-saved' }, tx('admin.publication.saved')),
        h('p', {}, h('a', { href: '../directories.html', id: 'publication-public' }, tx('admin.publication.public'))),
      );
      panel.setAttribute('tabindex', '-1');
      done.replaceChildren(panel);
      panel.focus();
    } catch (error) {
      showErrors(form, errorsOf(/** @type {any} */ (error)));
    }
  }
}
