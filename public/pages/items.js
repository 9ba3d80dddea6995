// @ts-check
// The item list page (随机抽查事项清单): every item grouped by department,
// filtered by department and by text, each with its anchor (item-CODE) so
// that task and result pages can link to it; an item's legal basis,
// method, ratio, frequency, checklist and the history of its versions.

import { departmentLabel } from '../lib/departments.js';
import { $, fill, h, tx } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { itemAnchor, loadItems, ratioText } from '../lib/items.js';
import { errorBox, setTitle } from '../lib/page.js';

/** @typedef {import('../lib/items.js').PublicItem} PublicItem */
/** @typedef {import('../lib/items.js').ItemVersion} ItemVersion */

/** @param {string} key @param {import('../lib/dom.js').Child} value */
function fact(key, value) {
  return h('div', {}, h('dt', {}, tx(key)), h('dd', {}, value));
}

/** A text the department wrote, or a dash when it wrote none. @param {string} text */
const orDash = (text) => (text && text.trim() ? text : '—');

/** @param {ItemVersion} version */
function versionEnd(version) {
  if (!version.effective_until) return tx('items.v.current');
  if (version.ended === 'retired') return tx('items.v.retired', { day: version.effective_until });
  return tx('items.v.changed', { day: version.effective_until });
}

/** @param {PublicItem} item */
function history(item) {
  const rows = item.history.map((v) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row', class: 'num' }, String(v.version)),
      h('td', {}, v.effective_from),
      h('td', {}, versionEnd(v)),
      h(
        'td',
        {},
        h('span', { lang: 'zh-CN' }, v.name),
        ' · ',
        ratioText(v.sampling_ratio_bp),
        ' · ',
        h('span', { lang: 'zh-CN' }, orDash(v.frequency)),
        v.reason ? h('div', { class: 'muted' }, tx('items.v.reason', { reason: v.reason })) : null,
      ),
    ),
  );
  return h(
    'details',
    { class: 'item-history' },
    h('summary', {}, tx('items.history', { n: item.history.length })),
    h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': () => t('items.history.caption', { code: item.code }) },
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, tx('items.history.caption', { code: item.code })),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, tx('items.col.version')),
            h('th', { scope: 'col' }, tx('items.col.from')),
            h('th', { scope: 'col' }, tx('items.col.until')),
            h('th', { scope: 'col' }, tx('items.col.fields')),
          ),
        ),
        h('tbody', {}, rows),
      ),
    ),
  );
}

/** @param {PublicItem} item */
function checklist(item) {
  if (!item.checklist.length) return h('p', { class: 'muted' }, tx('items.checklist.none'));
  return h(
    'div',
    {},
    h('h4', {}, tx('items.checklist')),
    h(
      'ol',
      { class: 'item-checklist' },
      item.checklist.map((p) =>
        h(
          'li',
          { value: String(p.number) },
          h('span', { lang: 'zh-CN' }, p.point),
          p.legal_basis ? h('div', { class: 'muted' }, tx('items.checklist.basis'), h('span', { lang: 'zh-CN' }, p.legal_basis)) : null,
          p.method ? h('div', { class: 'muted' }, tx('items.checklist.method'), h('span', { lang: 'zh-CN' }, p.method)) : null,
        ),
      ),
    ),
  );
}

/** @param {PublicItem} item */
function itemEntry(item) {
  const anchor = itemAnchor(item.code);
  return h(
    'article',
    {
      class: 'item-entry',
      id: anchor,
      tabindex: '-1',
      'aria-labelledby': `${anchor}-title`,
      dataset: { code: item.code, department: item.department, text: [item.code, item.name, item.legal_basis, item.target_category].join(' ').toLowerCase() },
    },
    h('h3', { id: `${anchor}-title` }, h('code', {}, item.code), ' ', h('span', { lang: 'zh-CN' }, item.name)),
    item.retired_on ? h('p', { class: 'record-status', 'data-status': 'retired' }, tx('items.retired', { day: item.retired_on })) : null,
    h(
      'dl',
      { class: 'facts facts-wide' },
      fact('items.f.basis', h('span', { lang: 'zh-CN' }, orDash(item.legal_basis))),
      fact('items.f.targets', h('span', { lang: 'zh-CN' }, orDash(item.target_category))),
      fact('items.f.method', h('span', { lang: 'zh-CN' }, orDash(item.method))),
      fact('items.f.ratio', ratioText(item.sampling_ratio_bp)),
      fact('items.f.frequency', h('span', { lang: 'zh-CN' }, orDash(item.frequency))),
      fact('items.f.since', item.history.length ? item.history[0].effective_from : '—'),
    ),
    checklist(item),
    history(item),
  );
}

/**
 * Shows the items matching the form, hiding the groups left empty, and
 * says how many are shown.
 * @param {HTMLElement} root
 */
function applyFilter(root) {
  const department = /** @type {HTMLSelectElement} */ ($('#f-department')).value;
  const text = /** @type {HTMLInputElement} */ ($('#f-text')).value.trim().toLowerCase();
  let shown = 0;
  for (const group of root.querySelectorAll('section.item-group')) {
    let inGroup = 0;
    for (const entry of group.querySelectorAll('article.item-entry')) {
      const el = /** @type {HTMLElement} */ (entry);
      const match = (!department || el.dataset.department === department) && (!text || (el.dataset.text || '').includes(text));
      el.hidden = !match;
      if (match) inGroup += 1;
    }
    /** @type {HTMLElement} */ (group).hidden = inGroup === 0;
    shown += inGroup;
  }
  fill($('#items-count'), tx('items.count', { n: shown }));
}

/** Opens and focuses the entry the address names, if any. */
function showTarget() {
  const id = decodeURIComponent(location.hash.slice(1));
  if (!id) return;
  const entry = document.getElementById(id);
  if (!entry || !entry.classList.contains('item-entry')) return;
  entry.hidden = false;
  const group = entry.closest('section.item-group');
  if (group) /** @type {HTMLElement} */ (group).hidden = false;
  const details = entry.querySelector('details');
  if (details) details.open = true;
  entry.focus();
  entry.scrollIntoView();
}

export async function pageItems() {
  setTitle(() => t('title.items'));
  const root = $('#items');
  /** @type {PublicItem[]} */
  let items;
  try {
    items = await loadItems();
  } catch (error) {
    root.removeAttribute('aria-busy');
    fill(root, errorBox(error));
    return;
  }
  /** @type {Map<string, PublicItem[]>} */
  const byDepartment = new Map();
  for (const item of items) {
    const group = byDepartment.get(item.department) || [];
    group.push(item);
    byDepartment.set(item.department, group);
  }
  const departments = [...byDepartment.keys()].sort();
  const select = $('#f-department');
  for (const code of departments) select.append(h('option', { value: code }, () => departmentLabel(code)));
  const params = new URLSearchParams(location.search);
  select.value = departments.includes(params.get('department') || '') ? params.get('department') : '';
  $('#f-text').value = params.get('q') || '';
  fill(
    root,
    items.length ? null : h('p', {}, tx('items.none')),
    departments.map((code) =>
      h(
        'section',
        { class: 'item-group', 'aria-labelledby': `group-${code}-title` },
        h('h2', { id: `group-${code}-title` }, () => departmentLabel(code)),
        /** @type {PublicItem[]} */ (byDepartment.get(code)).map(itemEntry),
      ),
    ),
  );
  root.removeAttribute('aria-busy');
  root.dataset.state = 'ready';
  const form = $('#items-filter');
  form.addEventListener('input', () => applyFilter(root));
  form.addEventListener('submit', (/** @type {Event} */ event) => {
    event.preventDefault();
    applyFilter(root);
  });
  applyFilter(root);
  showTarget();
  window.addEventListener('hashchange', showTarget);
}
