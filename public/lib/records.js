// @ts-check
// Published inspection results ("one public"): how a published record reads
// wherever it appears — the results page, a task's page, the entity search —
// and the task page's lists of its results and of its replaced inspectors.
//
// A record carries the fields of the national credit-publicity record: plan,
// task, type of inspection, inspecting authority, completion date, entity,
// item and result. A correction never replaces a record in place: the
// original stays listed with status "corrected" and a link to its
// correction, which names the original and the reason.

import { api } from './api.js';
import { departmentLabel } from './departments.js';
import { fill, h, tx } from './dom.js';
import { showFirstRows } from './fold.js';
import { timeEl } from './format.js';
import { itemHref } from './items.js';
import { has, t } from './i18n.js';
import { outcomeLabel } from './outcomes.js';
import { errorBox } from './page.js';

/** How an outcome is toned; the label always says it in words too. */
const OUTCOME_TONES = {
  no_problem: 'ok',
  rectify: 'warn',
  not_at_address: 'warn',
  case_filed: 'bad',
  refused: 'bad',
  no_activity: 'neutral',
  other: 'neutral',
};

export function outcomeTone(code) {
  return OUTCOME_TONES[code] || 'neutral';
}

export const entityHref = (id) => `index.html?entity=${encodeURIComponent(id)}`;

/** Where another record of the same task and entity is listed (a correction and its original share both). */
function recordHref(record, reference) {
  return `results.html?task=${record.task}&target=${encodeURIComponent(record.target)}#${encodeURIComponent(reference)}`;
}

function inspectionType(type) {
  const key = `inspectionType.${type}`;
  return has(key) ? t(key) : type;
}

/** A block-level span; an optional first argument of attributes adds classes. */
function line(first, ...rest) {
  if (first && typeof first === 'object' && !(first instanceof Node) && !Array.isArray(first)) {
    return h('span', { ...first, class: `line ${first.class || ''}`.trim() }, ...rest);
  }
  return h('span', { class: 'line' }, first, ...rest);
}

function referenceLink(record, reference) {
  return h('a', { class: 'record-link', href: recordHref(record, reference), 'data-ref': reference }, h('code', {}, reference));
}

function entityCell(r) {
  return [
    line(h('a', { href: entityHref(r.target) }, r.target_name || r.target)),
    line(h('code', { class: 'id' }, r.target)),
    r.region ? line({ class: 'sub' }, tx('rec.region', { region: r.region })) : null,
  ];
}

function taskCell(r) {
  return [
    line(h('a', { href: `task.html?id=${r.task}` }, r.task_name || String(r.task))),
    line(h('span', { class: 'sub' }, tx('home.taskNo', { id: r.task }))),
  ];
}

/** The item links to its entry on the item list (items.html). */
function itemCell(r) {
  return [line(h('a', { href: itemHref(r.item) }, r.item_name || r.item)), r.item_name ? line(h('code', { class: 'id' }, r.item)) : null];
}

function statusBadge(r) {
  if (r.status === 'corrected') return h('span', { class: 'record-status', 'data-status': 'corrected' }, '⚠ ', tx('rec.status.corrected'));
  if (r.corrects) return h('span', { class: 'record-status', 'data-status': 'correction' }, '✎ ', tx('rec.status.correction'));
  return null;
}

function resultCell(r) {
  const label = () => outcomeLabel(r.outcome, r.outcome_label);
  const text = (r.outcome_text || '').trim();
  const summary = (r.summary || '').trim();
  return [
    statusBadge(r),
    line(h('span', { class: 'result-outcome', 'data-tone': outcomeTone(r.outcome), 'data-outcome': r.outcome }, label)),
    text && text !== r.outcome_label ? line({ class: 'outcome-text' }, text) : null,
    summary ? line({ class: 'summary' }, tx('rec.summary', { summary })) : null,
    r.status === 'corrected' && r.corrected_by
      ? h('p', { class: 'correction-note' }, tx('rec.correctedBy'), ' ', referenceLink(r, r.corrected_by))
      : null,
    r.corrects
      ? h(
          'p',
          { class: 'correction-note' },
          tx('rec.corrects'),
          ' ',
          referenceLink(r, r.corrects),
          r.correction_reason ? [h('br'), tx('rec.reason', { reason: r.correction_reason })] : null,
        )
      : null,
  ];
}

function inspectionCell(r) {
  let plan = tx('rec.plan.none');
  if (r.plan_name || r.plan_id) {
    const name = r.plan_name && r.plan_id ? `${r.plan_name} (${r.plan_id})` : r.plan_name || r.plan_id;
    plan = tx('rec.plan', { plan: name });
  }
  return [
    line(() => t('rec.type', { type: inspectionType(r.inspection_type) })),
    // Some records name the department by its code; say it in words.
    line(() => t('rec.authority', { authority: r.authority ? departmentLabel(r.authority) : '—' })),
    line({ class: 'sub' }, plan),
    line(tx('rec.completed', { date: r.inspection_date })),
  ];
}

function publishedCell(r) {
  let timeliness = null;
  if (r.on_time === false) timeliness = line({ class: 'late' }, '⚠ ', tx('rec.late', { date: r.due_date }));
  else if (r.on_time === true) timeliness = line({ class: 'sub' }, tx('rec.onTime', { date: r.due_date }));
  return [
    line(timeEl(r.published_at, true)),
    timeliness,
    line({ class: 'sub' }, tx('rec.reference'), ' ', h('code', { class: 'reference' }, r.reference)),
    evidenceDigests(r),
  ];
}

/**
 * The digests of the files the inspection kept as its record (photos,
 * scans). The files stay internal; their SHA-256 is public, so that a
 * later dispute can show which file was the record.
 */
function evidenceDigests(r) {
  /** @type {Array<{sha256: string, media_type: string, size: number}>} */
  const files = r.attachments || [];
  if (!files.length) return null;
  return h(
    'details',
    { class: 'evidence-digests' },
    h('summary', {}, tx('rec.evidence', { n: files.length })),
    h(
      'ul',
      {},
      files.map((file) =>
        h('li', { 'data-sha256': file.sha256 }, h('code', { class: 'digest' }, file.sha256), ' ', h('span', { class: 'sub' }, `${file.media_type}, ${file.size} B`)),
      ),
    ),
  );
}

/**
 * A table of published records. Options: `id` (of the table), `entity` and
 * `task` (show those columns; default true), `labelledBy` (the heading's id).
 */
export function resultsTable(results, options = {}) {
  const { id, entity = true, task = true, labelledBy } = options;
  /** @type {Array<[string, (r: any) => import('./dom.js').Child]>} */
  const columns = /** @type {any[]} */ ([
    entity ? ['rec.col.entity', entityCell] : null,
    task ? ['rec.col.task', taskCell] : null,
    ['rec.col.item', itemCell],
    ['rec.col.result', resultCell],
    ['rec.col.inspection', inspectionCell],
    ['rec.col.published', publishedCell],
  ]).filter(Boolean);
  const rows = results.map((r) => {
    const classes = ['record'];
    if (r.status === 'corrected') classes.push('is-corrected');
    if (r.corrects) classes.push('is-correction');
    return h(
      'tr',
      {
        id: r.reference,
        class: classes.join(' '),
        'data-reference': r.reference,
        'data-outcome': r.outcome,
        'data-status': r.status,
        'data-task': String(r.task),
        'data-target': r.target,
      },
      columns.map(([key, cell], i) =>
        h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, 'data-label': tx(key) }, cell(r)),
      ),
    );
  });
  const table = h(
    'table',
    { id, class: 'stack records', 'data-count': String(results.length) },
    h('caption', { class: 'visually-hidden' }, tx('rec.caption')),
    h('thead', {}, h('tr', {}, columns.map(([key]) => h('th', { scope: 'col' }, tx(key))))),
    h('tbody', {}, rows),
  );
  // A correction and its original on the same table link to each other in place.
  const here = new Set(results.map((r) => r.reference));
  for (const link of table.querySelectorAll('a[data-ref]')) {
    const reference = /** @type {HTMLElement} */ (link).dataset.ref || '';
    if (here.has(reference)) link.setAttribute('href', `#${encodeURIComponent(reference)}`);
  }
  return h(
    'div',
    { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': labelledBy, 'aria-label': labelledBy ? null : tx('rec.caption') },
    table,
  );
}

/** Marks and scrolls to the record the address names (#r…), once it is on the page. */
export function highlightFromHash() {
  if (!location.hash) return;
  const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (!target || !target.classList.contains('record')) return;
  for (const old of document.querySelectorAll('tr.record.highlight')) old.classList.remove('highlight');
  target.classList.add('highlight');
  target.scrollIntoView({ block: 'center' });
}

// ------------------------------------------------------ on the task page ---

const TASK_RESULTS_SHOWN = 100;

/**
 * A table, with its rows after the first few hidden behind a "show all"
 * button — unless the address names one of its rows, which must show.
 * @param {HTMLElement} table
 * @param {string} id the table's id
 * @returns {HTMLElement[]}
 */
function foldedTable(table, id) {
  const rows = [...table.querySelectorAll('tbody tr.record')];
  // A published record is a tall card on a phone: three of them.
  const more = location.hash ? null : showFirstRows(/** @type {HTMLElement[]} */ (rows), id, undefined, 3);
  return more ? [table, more] : [table];
}

/** Fills the task page's results section (its heading stays first). */
export async function fillTaskResults(task, section) {
  const title = section.firstChild;
  try {
    const page = await api(`/api/public/results?task=${task.id}&limit=${TASK_RESULTS_SHOWN}`);
    const body = [h('p', {}, tx('task.results.intro'))];
    if (!page.total) {
      body.push(h('p', { id: 'task-results', 'data-count': '0' }, tx('task.results.none')));
    } else {
      body.push(
        h(
          'p',
          {},
          tx('task.results.count', { n: page.total }),
          page.total > page.results.length ? [' ', tx('task.results.more', { shown: page.results.length, total: page.total })] : null,
        ),
        ...foldedTable(resultsTable(page.results, { id: 'task-results', task: false, labelledBy: title.id }), 'task-results'),
        h('p', {}, h('a', { href: `results.html?task=${task.id}` }, tx('task.results.all'))),
      );
    }
    fill(section, title, body);
    section.dataset.total = String(page.total);
    highlightFromHash();
  } catch (error) {
    fill(section, title, errorBox(error));
  }
}

function person(id, names) {
  const name = names.get(id);
  return h('span', { class: 'inspector' }, name || id, name ? h('span', { class: 'id' }, ` (${id})`) : null);
}

/** Fills the replacements section; names come from the selection when it has them. */
export async function fillReplacements(task, section, selectionRequest) {
  const title = section.firstChild;
  let replacements;
  let selection;
  try {
    [replacements, selection] = await Promise.all([
      api(`/api/public/tasks/${task.id}/replacements`),
      selectionRequest ? selectionRequest.catch(() => []) : [],
    ]);
  } catch (error) {
    fill(section, title, errorBox(error));
    return;
  }
  const targets = new Map();
  const inspectors = new Map();
  for (const target of selection || []) {
    if (target.name) targets.set(target.target, target.name);
    for (const inspector of target.inspectors || []) if (inspector.name) inspectors.set(inspector.id, inspector.name);
  }
  const body = [h('p', {}, tx('task.replacements.intro'))];
  if (!replacements.length) {
    body.push(h('p', { id: 'replacements', 'data-count': '0' }, tx('task.replacements.none')));
    fill(section, title, body);
    return;
  }
  const col = (key) => h('th', { scope: 'col' }, tx(key));
  body.push(
    h(
      'div',
      { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': title.id },
      h(
        'table',
        { id: 'replacements', class: 'stack replacements', 'data-count': String(replacements.length) },
        h('caption', { class: 'visually-hidden' }, tx('task.replacements.caption')),
        h(
          'thead',
          {},
          h('tr', {}, ['rep.col.number', 'rep.col.target', 'rep.col.department', 'rep.col.change', 'rep.col.reason', 'rep.col.made'].map(col)),
        ),
        h(
          'tbody',
          {},
          replacements.map((r) =>
            h(
              'tr',
              { 'data-number': String(r.number), 'data-target': r.target },
              h('th', { scope: 'row', class: 'num', 'data-label': tx('rep.col.number') }, String(r.number)),
              h(
                'td',
                { 'data-label': tx('rep.col.target') },
                h('code', {}, r.target),
                targets.has(r.target) ? line({ class: 'sub' }, targets.get(r.target)) : null,
              ),
              h('td', { 'data-label': tx('rep.col.department') }, () => departmentLabel(r.department)),
              h(
                'td',
                { 'data-label': tx('rep.col.change') },
                h('del', { class: 'out' }, person(r.out, inspectors)),
                h('span', { 'aria-hidden': 'true' }, ' → '),
                h('ins', { class: 'in' }, person(r.in, inspectors)),
              ),
              h('td', { 'data-label': tx('rep.col.reason') }, r.reason),
              h(
                'td',
                { 'data-label': tx('rep.col.made') },
                r.made_at ? line(timeEl(r.made_at)) : null,
                r.made_by ? line({ class: 'sub' }, tx('rep.by', { who: r.made_by })) : null,
              ),
            ),
          ),
        ),
      ),
    ),
  );
  fill(section, title, body);
}
