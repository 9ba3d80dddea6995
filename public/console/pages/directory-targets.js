// @ts-check
// The target directory (#/directories/targets): searching it by name or id
// with region, industry and risk class filters (values offered from what
// the directory holds), a page at a time in id order, and importing it.
// The search lives in the address (?q=…&region=…), so the back button and
// a bookmark bring it back.

import { fill, h, tx } from '../../lib/dom.js';
import { t } from '../../lib/i18n.js';
import { field, input, select } from '../forms.js';
import { go } from '../router.js';
import { get } from '../session.js';
import { dataTable } from './data-table.js';
import { importPanel } from './directory-import.js';
import { directoryHeading } from './directory-layout.js';
import { riskClassPanel } from './directory-risk-classes.js';

/** Targets per page. */
const PAGE = 50;
const FILTERS = /** @type {const} */ (['region', 'industry', 'risk_class']);

/**
 * @typedef {{id: string, name: string, region: string, industry: string, risk_class: string,
 *   unit: string, flags: string, last_inspected: string | null, address: string}} Target
 * @typedef {{regions: Facet[], industries: Facet[], risk_classes: Facet[], flags: Facet[]}} Facets
 * @typedef {{value: string, count: number}} Facet
 */

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} _params
 * @param {URLSearchParams} query
 */
export async function targetsPage(main, _params, query) {
  directoryHeading(main, 'targets');
  const results = h('div', { id: 'target-results' });
  const panel = importPanel({ kind: 'targets', onImported: () => show(results, query) });
  const risks = riskClassPanel({ onImported: () => show(results, query) });
  main.append(jumpTo(panel, 'directories.targets.to_import'), await searchForm(query), results, panel, risks);
  await show(results, query);
}

/**
 * A link down to `target` (the import, below a long page of targets). The
 * address's fragment is the console's page, so the link moves the focus
 * itself instead of naming an anchor.
 * @param {HTMLElement} target
 * @param {string} key
 */
function jumpTo(target, key) {
  const go = (/** @type {Event} */ event) => {
    event.preventDefault();
    const heading = /** @type {HTMLElement} */ (target.querySelector('h2'));
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  };
  return h('p', {}, h('a', { href: '#/directories/targets', class: 'jump-link', onclick: go }, tx(key)));
}

/** The search form, its fields filled from the address. */
async function searchForm(/** @type {URLSearchParams} */ query) {
  /** @type {Facets | null} */
  let facets = null;
  try {
    facets = await get('/api/directories/facets');
  } catch (_) {
    /* without the offered values, the filters are typed */
  }
  const q = input('target-q', { type: 'search', value: query.get('q') || '', autocomplete: 'off' });
  const controls = {
    region: filterControl('target-region', facets && facets.regions, query.get('region')),
    industry: filterControl('target-industry', facets && facets.industries, query.get('industry')),
    risk_class: filterControl('target-risk', facets && facets.risk_classes, query.get('risk_class')),
  };
  const form = h(
    'form',
    { class: 'search-form', role: 'search', 'aria-label': tx('directories.targets.search'), novalidate: true, onsubmit: submit },
    field({ label: tx('directories.targets.q'), hint: tx('directories.targets.q.hint'), control: q, wide: true }),
    h(
      'div',
      { class: 'filter-row' },
      field({ label: tx('directories.targets.region'), control: controls.region }),
      field({ label: tx('directories.targets.industry'), control: controls.industry }),
      field({ label: tx('directories.targets.risk_class'), control: controls.risk_class }),
    ),
    h(
      'div',
      { class: 'form-buttons' },
      h('button', { type: 'submit', id: 'target-search' }, tx('directories.targets.search.button')),
      ' ',
      h('a', { href: '#/directories/targets', class: 'clear-link' }, tx('directories.targets.clear')),
    ),
  );
  return form;

  /** @param {SubmitEvent} event */
  function submit(event) {
    event.preventDefault();
    const next = new URLSearchParams();
    const text = /** @type {HTMLInputElement} */ (q).value.trim();
    if (text) next.set('q', text);
    for (const name of FILTERS) {
      const value = /** @type {HTMLInputElement} */ (controls[name]).value.trim();
      if (value) next.set(name, value);
    }
    const fragment = `#/directories/targets${next.toString() ? '?' + next : ''}`;
    go(fragment);
  }
}

/**
 * A filter: a list of the values the directory holds (with counts), or a
 * text field when they could not be had.
 * @param {string} id
 * @param {Facet[] | null} values
 * @param {string | null} chosen
 */
function filterControl(id, values, chosen) {
  if (!values) return input(id, { value: chosen || '' });
  /** @type {Array<[string, string | (() => string)]>} */
  const options = [['', () => t('directories.targets.any')]];
  for (const facet of values) options.push([facet.value, `${facet.value} (${facet.count})`]);
  if (chosen && !values.some((facet) => facet.value === chosen)) options.push([chosen, chosen]);
  const control = select(id, options);
  /** @type {HTMLSelectElement} */ (control).value = chosen || '';
  return control;
}

/** The page of targets the address asks for. */
async function show(/** @type {HTMLElement} */ results, /** @type {URLSearchParams} */ query) {
  const ask = new URLSearchParams();
  for (const name of ['q', ...FILTERS, 'after']) {
    const value = query.get(name);
    if (value) ask.set(name, value);
  }
  ask.set('limit', String(PAGE));
  /** @type {Target[]} */
  const targets = await get(`/api/targets?${ask}`);
  const searching = ['q', ...FILTERS].some((name) => query.get(name));
  const last = targets.length === PAGE ? targets[targets.length - 1].id : null;
  const more = new URLSearchParams(query);
  if (last) more.set('after', last);
  const first = new URLSearchParams(query);
  first.delete('after');
  fill(results,
    h(
      'p',
      { role: 'status', id: 'target-count' },
      targets.length
        ? tx(searching ? 'directories.targets.found' : 'directories.targets.shown', { count: targets.length })
        : tx(searching ? 'directories.targets.none_found' : 'directories.targets.empty'),
    ),
    dataTable({
      caption: 'directories.targets.caption',
      empty: 'directories.targets.empty',
      id: 'targets',
      rows: targets,
      columns: [
        { label: 'directories.targets.col.id', cell: (row) => h('code', {}, row.id) },
        { label: 'directories.targets.col.name', header: true, cell: (row) => row.name },
        { label: 'directories.targets.col.region', cell: (row) => row.region },
        { label: 'directories.targets.col.industry', cell: (row) => row.industry },
        { label: 'directories.targets.col.risk_class', cell: (row) => row.risk_class },
        { label: 'directories.targets.col.flags', cell: (row) => row.flags },
        { label: 'directories.targets.col.last_inspected', cell: (row) => row.last_inspected || '' },
      ],
    }),
    h(
      'nav',
      { class: 'pager', 'aria-label': tx('directories.targets.pages') },
      query.get('after') ? h('a', { href: `#/directories/targets?${first}`, id: 'targets-first' }, tx('directories.targets.first')) : null,
      ' ',
      last ? h('a', { href: `#/directories/targets?${more}`, id: 'targets-next', rel: 'next' }, tx('directories.targets.next')) : null,
    ),
  );
}
