// @ts-check
// The department's working rules (#/directories/rules): the versions it
// has published, and a form to publish the next one. A version is never
// changed: what is sent becomes public, and enters the public log, at once.

import { h, tx } from '../../lib/dom.js';
import { confirmation, errorsOf, field, input, showErrors } from '../forms.js';
import { get, send, user } from '../session.js';
import { directoryHeading } from './directory-layout.js';

/**
 * @typedef {{version: number, title: string, effective_on: string, published_at: string}} RulesVersion
 * @typedef {{department: string, current: RulesVersion, earlier: RulesVersion[]}} DepartmentRules
 */

/** Where the public site shows a version. @param {string} department @param {number} version */
const publicHref = (department, version) =>
  `../rules.html?department=${encodeURIComponent(department)}&version=${version}#rules-${encodeURIComponent(department)}`;

/** @param {string} department @param {RulesVersion[]} versions newest first */
function versionsTable(department, versions) {
  if (!versions.length) return h('p', { id: 'rules-versions' }, tx('directories.rules.none'));
  return h(
    'div',
    { class: 'table-wrap', id: 'rules-versions', tabindex: '0', role: 'region', 'aria-label': tx('directories.rules.versions') },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, tx('directories.rules.versions')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, tx('directories.rules.col.version')),
          h('th', { scope: 'col' }, tx('directories.rules.col.title')),
          h('th', { scope: 'col' }, tx('directories.rules.col.effective')),
          h('th', { scope: 'col' }, tx('directories.rules.col.published')),
        ),
      ),
      h(
        'tbody',
        {},
        versions.map((v) =>
          h(
            'tr',
            {},
            h('td', {}, String(v.version)),
            h('td', {}, h('a', { href: publicHref(department, v.version), lang: 'zh-CN' }, v.title)),
            h('td', {}, v.effective_on),
            h('td', {}, v.published_at.slice(0, 10)),
          ),
        ),
      ),
    ),
  );
}

/** The department's versions, newest first. @param {string} department */
async function versionsOf(department) {
  /** @type {{departments: DepartmentRules[]}} */
  const list = await get('/api/public/rules');
  const rules = list.departments.find((d) => d.department === department);
  return rules ? [rules.current, ...rules.earlier] : [];
}

/** @param {HTMLElement} main */
export async function rulesPage(main) {
  directoryHeading(main, 'rules');
  const department = (user() || { department: null }).department || '';
  const versions = h('div', {}, versionsTable(department, await versionsOf(department)));
  const title = /** @type {HTMLInputElement} */ (input('rules-title', { maxlength: '200', lang: 'zh-CN' }));
  const effective = /** @type {HTMLInputElement} */ (input('rules-effective', { type: 'date' }));
  const text = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'rules-text', name: 'rules-text', rows: '14', lang: 'zh-CN' }));
  const done = h('div', { 'aria-live': 'polite' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack-form', novalidate: true, onsubmit: submit },
      field({ label: tx('directories.rules.title'), control: title, wide: true }),
      field({ label: tx('directories.rules.effective'), hint: tx('directories.rules.effective.hint'), control: effective }),
      field({ label: tx('directories.rules.text'), hint: tx('directories.rules.text.hint'), control: text, wide: true }),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'rules-publish' }, tx('directories.rules.publish'))),
    )
  );
  main.append(
    h('h2', {}, tx('directories.rules.versions')),
    versions,
    done,
    h('h2', {}, tx('directories.rules.new')),
    h('p', {}, tx('directories.rules.warning')),
    form,
  );

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    const body = { title: title.value.trim(), effective_on: effective.value, text: text.value };
    try {
      /** @type {RulesVersion} */
      const published = await send('POST', '/api/rules', body);
      showErrors(form, []);
      form.reset();
      versions.replaceChildren(versionsTable(department, await versionsOf(department)));
      const panel = confirmation(
        tx('directories.rules.published.h2', { version: published.version }),
        h('p', {}, tx('directories.rules.published')),
        h('p', {}, h('a', { href: publicHref(department, published.version), id: 'rules-public' }, tx('directories.rules.public'))),
      );
      panel.setAttribute('tabindex', '-1');
      done.replaceChildren(panel);
      panel.focus();
    } catch (error) {
      showErrors(form, errorsOf(error, { title: title.id, effective_on: effective.id, text: text.id }));
    }
  }
}
