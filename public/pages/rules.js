// @ts-check
// The working rules page (抽查工作细则): for each department, the version
// the address names (rules.html?department=market&version=1) or its
// current one, its Markdown rendered by lib/markdown.js (text only, never
// markup), and the history of its versions, each one readable.

import { api } from '../lib/api.js';
import { departmentLabel } from '../lib/departments.js';
import { $, fill, h, tx } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { renderMarkdown } from '../lib/markdown.js';
import { errorBox, setTitle } from '../lib/page.js';

/**
 * @typedef {{department: string, version: number, title: string, effective_on: string,
 *   published_at: string, text_sha256: string}} RulesVersion
 * @typedef {RulesVersion & {text: string}} RulesText
 * @typedef {{department: string, current: RulesVersion, earlier: RulesVersion[]}} DepartmentRules
 */

/** @param {string} department @param {number} version */
const versionHref = (department, version) =>
  `rules.html?department=${encodeURIComponent(department)}&version=${version}#rules-${encodeURIComponent(department)}`;

/** The day of a publication time, as published (UTC). @param {string} at */
const dayOf = (at) => at.slice(0, 10);

/**
 * The table of a department's versions, newest first, the one shown marked.
 * @param {DepartmentRules} rules
 * @param {number} shown
 */
function history(rules, shown) {
  const versions = [rules.current, ...rules.earlier];
  const caption = () => t('rules.history.caption', { department: departmentLabel(rules.department) });
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, tx('rules.col.version')),
          h('th', { scope: 'col' }, tx('rules.col.title')),
          h('th', { scope: 'col' }, tx('rules.col.effective')),
          h('th', { scope: 'col' }, tx('rules.col.published')),
        ),
      ),
      h(
        'tbody',
        {},
        versions.map((v) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row', class: 'num' }, String(v.version)),
            h(
              'td',
              {},
              v.version === shown
                ? h('span', { lang: 'zh-CN', 'aria-current': 'page' }, v.title, ' ', h('span', { class: 'muted' }, tx('rules.shown')))
                : h('a', { href: versionHref(rules.department, v.version), lang: 'zh-CN' }, v.title),
            ),
            h('td', {}, v.effective_on),
            h('td', {}, dayOf(v.published_at)),
          ),
        ),
      ),
    ),
  );
}

/**
 * A department's section: the version shown, rendered, and the history.
 * @param {DepartmentRules} rules
 * @param {RulesText} text
 */
function departmentSection(rules, text) {
  const id = `rules-${rules.department}`;
  const isCurrent = text.version === rules.current.version;
  return h(
    'section',
    { class: 'rules-department', id, 'aria-labelledby': `${id}-title`, tabindex: '-1', dataset: { department: rules.department, version: String(text.version) } },
    h('h2', { id: `${id}-title` }, () => departmentLabel(rules.department)),
    isCurrent
      ? null
      : h(
          'p',
          { class: 'notice notice-warn' },
          tx('rules.old', { version: text.version, current: rules.current.version }),
          ' ',
          h('a', { href: `rules.html#${id}` }, tx('rules.old.link')),
        ),
    h(
      'article',
      { class: 'rules-text', 'aria-labelledby': `${id}-version` },
      h('p', { class: 'rules-version', id: `${id}-version` }, h('strong', { lang: 'zh-CN' }, text.title)),
      h(
        'p',
        { class: 'muted' },
        tx('rules.meta', { version: text.version, effective: text.effective_on, published: dayOf(text.published_at) }),
      ),
      h('div', { class: 'markdown', lang: 'zh-CN' }, renderMarkdown(text.text, 3)),
      h('p', { class: 'muted digest' }, tx('rules.digest'), ' ', h('code', {}, text.text_sha256)),
    ),
    h('h3', {}, tx('rules.history')),
    history(rules, text.version),
  );
}

export async function pageRules() {
  setTitle(() => t('title.rules'));
  const root = $('#rules');
  const params = new URLSearchParams(location.search);
  const asked = { department: params.get('department') || '', version: Number(params.get('version') || 0) };
  try {
    /** @type {{departments: DepartmentRules[]}} */
    const list = await api('/api/public/rules');
    const sections = await Promise.all(
      list.departments.map(async (rules) => {
        const version =
          asked.department === rules.department && Number.isInteger(asked.version) && asked.version >= 1 && asked.version <= rules.current.version
            ? asked.version
            : rules.current.version;
        /** @type {RulesText} */
        const text = await api(`/api/public/rules/${encodeURIComponent(rules.department)}/${version}`);
        return departmentSection(rules, text);
      }),
    );
    fill(root, sections.length ? sections : h('p', {}, tx('rules.none')));
  } catch (error) {
    root.removeAttribute('aria-busy');
    fill(root, errorBox(error));
    return;
  }
  root.removeAttribute('aria-busy');
  root.dataset.state = 'ready';
  const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  if (target && asked.department) target.focus();
}
