// @ts-check
// The installation's branding (#/admin/branding): the issuing authority's
// name in Chinese and English, a contact, the channel for objections and
// the ICP filing number, which the public site's footer shows on every page.

import { h, tx } from '../../lib/dom.js';
import { confirmation, errorsOf, field, input, showErrors } from '../forms.js';
import { get, send } from '../session.js';
import { adminHeading } from './admin-layout.js';

/** The settings, in the order of the form; each a string of at most 200 characters. */
const FIELDS = /** @type {const} */ (['authority_zh', 'authority_en', 'contact', 'objection_channel', 'icp_filing']);

/** @param {HTMLElement} main */
export async function brandingPage(main) {
  adminHeading(main, 'branding', tx('admin.branding.h1'));
  /** @type {Record<string, string>} */
  const current = await get('/api/settings/branding');
  /** @type {Record<string, HTMLInputElement>} */
  const controls = {};
  for (const name of FIELDS) {
    controls[name] = /** @type {HTMLInputElement} */ (
      input(`branding-${name.replace('_', '-')}`, {
        value: current[name] || '',
        maxlength: '200',
        lang: name === 'authority_zh' ? 'zh-CN' : name === 'authority_en' ? 'en' : null,
      })
    );
  }
  const done = h('div', { 'aria-live': 'polite' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack-form', novalidate: true, onsubmit: submit },
      FIELDS.map((name) =>
        field({ label: tx(`admin.branding.${name}`), hint: tx(`admin.branding.${name}.hint`), control: controls[name], wide: true }),
      ),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'branding-save' }, tx('admin.branding.save'))),
    )
  );
  main.append(h('p', { class: 'lead' }, tx('admin.branding.intro')), done, form);

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    /** @type {Record<string, string>} */
    const body = {};
    for (const name of FIELDS) body[name] = controls[name].value.trim();
    try {
      await send('PUT', '/api/settings/branding', body);
      showErrors(form, []);
      const panel = confirmation(
        tx('admin.branding.saved.h2'),
        h('p', {}, tx('admin.branding.saved')),
        h('p', {}, h('a', { href: '../index.html', id: 'branding-public' }, tx('admin.branding.public'))),
      );
      panel.setAttribute('tabindex', '-1');
      done.replaceChildren(panel);
      panel.focus();
    } catch (error) {
      /** @type {Record<string, string>} */
      const ids = {};
      for (const name of FIELDS) ids[name] = controls[name].id;
      showErrors(form, errorsOf(error, ids));
    }
  }
}
