// @ts-check
// The statistics page: published results in force by outcome, region and
// risk class, draws and publications per month, and how many results were
// published within the 20 working days — each as an SVG chart (charts.js)
// with the same numbers in a table.

import { api } from '../lib/api.js';
import { departmentLabel } from '../lib/departments.js';
import { barChart, columnChart, shareBar } from '../lib/charts.js';
import { $, fill, h, live, tx } from '../lib/dom.js';
import { getLang, t } from '../lib/i18n.js';
import { loadOutcomes, outcomeLabel } from '../lib/outcomes.js';
import { errorBox, section, setTitle } from '../lib/page.js';
import { outcomeTone } from '../lib/records.js';

/** 0.923 → "92.3 %" (en) or "92.3%" (zh); one decimal at most. */
export function formatRate(rate) {
  const tenths = Math.round(rate * 1000) / 10;
  const number = Number.isInteger(tenths) ? String(tenths) : tenths.toFixed(1);
  return getLang() === 'zh' ? `${number}%` : `${number} %`;
}

const separator = () => (getLang() === 'zh' ? '；' : '; ');

function describe(title, rows) {
  return t('stats.desc', {
    title,
    items: rows.map((r) => t('stats.desc.item', { label: r.label(), value: r.value })).join(separator()),
  });
}

function countsOf(list) {
  return new Map((list || []).map((entry) => [entry.key, entry.count]));
}

function outcomeRows(statistics, outcomes) {
  const counts = countsOf(statistics.by_outcome);
  const codes = outcomes.map((o) => o.code);
  for (const key of counts.keys()) if (!codes.includes(key)) codes.push(key);
  return codes.map((code) => ({
    key: code,
    label: () => outcomeLabel(code),
    value: counts.get(code) || 0,
    tone: outcomeTone(code),
    href: `results.html?outcome=${encodeURIComponent(code)}&include_corrected=false`,
  }));
}

function regionRows(statistics) {
  return (statistics.by_region || []).map((entry) => ({
    key: entry.key,
    label: () => entry.key || '—',
    value: entry.count,
    href: entry.key ? `results.html?region=${encodeURIComponent(entry.key)}&include_corrected=false` : null,
  }));
}

function riskRows(statistics) {
  return [...(statistics.by_risk_class || [])]
    .sort((a, b) => String(a.key).localeCompare(String(b.key)))
    .map((entry) => ({
      key: entry.key,
      label: () => (/^[A-D]$/.test(entry.key) ? t('risk.class', { c: entry.key }) : entry.key),
      value: entry.count,
    }));
}

function departmentRows(statistics) {
  return (statistics.by_department || []).map((entry) => ({
    key: entry.key,
    label: () => departmentLabel(entry.key),
    value: entry.count,
  }));
}

function itemRows(statistics) {
  return (statistics.by_item || []).map((entry) => ({
    key: entry.key,
    label: () => (entry.label ? `${entry.label} (${entry.key})` : entry.key),
    value: entry.count,
    href: `results.html?item=${encodeURIComponent(entry.key)}&include_corrected=false`,
  }));
}

/** A plan's name, or its id, or "no plan". */
function planLabel(entry) {
  if (!entry.key) return t('stats.plan.none');
  return entry.label ? `${entry.label} (${entry.key})` : entry.key;
}

function planRows(statistics) {
  return (statistics.by_plan || []).map((entry) => ({ key: entry.key, label: () => planLabel(entry), value: entry.count }));
}

/**
 * The share of the pools the draws took: all, by department, by plan.
 * @param {any} statistics
 */
function coverageSection(statistics) {
  const all = statistics.coverage || { tasks: 0, pool: 0, drawn: 0, rate: null };
  const rate = (c) => (typeof c.rate === 'number' ? () => formatRate(c.rate) : '—');
  const line = (key, label, c) =>
    h(
      'tr',
      { 'data-key': key, 'data-rate': typeof c.rate === 'number' ? String(c.rate) : '' },
      h('th', { scope: 'row' }, label),
      h('td', { class: 'num' }, String(c.tasks)),
      h('td', { class: 'num' }, String(c.pool)),
      h('td', { class: 'num' }, String(c.drawn)),
      h('td', { class: 'num' }, rate(c)),
    );
  const group = (titleKey, rows) =>
    rows.length ? h('tbody', {}, h('tr', {}, h('th', { scope: 'rowgroup', colspan: '5', class: 'group' }, tx(titleKey))), rows) : null;
  return section(
    'stats-coverage',
    'stats.coverage.h2',
    h('p', { class: 'rate-line', id: 'coverage-rate' }, () =>
      typeof all.rate === 'number' ? t('stats.coverage.text', { rate: formatRate(all.rate), drawn: all.drawn, pool: all.pool }) : t('stats.coverage.none'),
    ),
    all.tasks
      ? h(
          'div',
          { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': 'stats-coverage-title' },
          h(
            'table',
            { id: 'coverage', class: 'data-table' },
            h('caption', { class: 'visually-hidden' }, tx('stats.coverage.h2')),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['stats.coverage.col.what', 'stats.coverage.col.tasks', 'stats.coverage.col.pool', 'stats.coverage.col.drawn', 'stats.coverage.col.rate'].map((key, i) =>
                  h('th', { scope: 'col', class: i ? 'num' : null }, tx(key)),
                ),
              ),
            ),
            h('tbody', {}, line('all', tx('stats.coverage.all'), all)),
            group(
              'stats.coverage.byDepartment',
              (statistics.coverage_by_department || []).map((c) => line(`department:${c.key}`, () => departmentLabel(c.key), c)),
            ),
            group(
              'stats.coverage.byPlan',
              (statistics.coverage_by_plan || []).map((c) => line(`plan:${c.key}`, () => planLabel(c), c)),
            ),
          ),
        )
      : null,
  );
}

/**
 * The year filter: all years, or one of those with data.
 * @param {any} statistics
 * @param {(year: string) => void} choose
 */
function yearFilter(statistics, choose) {
  const select = h(
    'select',
    { id: 'stats-year', name: 'year' },
    h('option', { value: '' }, tx('stats.year.all')),
    [...(statistics.years || [])].reverse().map((year) => h('option', { value: String(year) }, String(year))),
  );
  select.value = statistics.year == null ? '' : String(statistics.year);
  select.addEventListener('change', () => choose(select.value));
  return h('div', { class: 'field stats-year' }, h('label', { for: 'stats-year' }, tx('stats.year.label')), select);
}

function dataTable(kind, rows, columns) {
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, tx('stats.table')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data-table', 'data-chart': kind },
        h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, tx(c.key))))),
        h('tbody', {}, rows),
      ),
    ),
  );
}

function categorySection(id, titleKey, kind, rows) {
  const total = rows.reduce((sum, r) => sum + r.value, 0);
  if (!rows.length) {
    return section(id, titleKey, h('figure', { id: `chart-${kind}`, class: 'chart-figure', 'data-chart': kind }, h('p', { class: 'muted' }, tx('stats.empty'))));
  }
  const tableRows = rows.map((r) =>
    h(
      'tr',
      { 'data-key': r.key },
      h('th', { scope: 'row' }, r.href ? h('a', { href: r.href }, r.label) : r.label),
      h('td', { class: 'num', 'data-count': String(r.value) }, String(r.value)),
      h('td', { class: 'num' }, total ? () => formatRate(r.value / total) : '—'),
    ),
  );
  return section(
    id,
    titleKey,
    h(
      'figure',
      { id: `chart-${kind}`, class: 'chart-figure', 'data-chart': kind },
      live('div', { class: 'chart-box' }, () =>
        barChart({ title: t(titleKey), desc: describe(t(titleKey), rows), rows: rows.map((r) => ({ ...r, label: r.label() })) }),
      ),
      dataTable(kind, tableRows, [{ key: `stats.col.key.${kind}` }, { key: 'stats.col.count', num: true }, { key: 'stats.col.share', num: true }]),
    ),
  );
}

function legend(items) {
  return h(
    'ul',
    { class: 'chart-legend' },
    items.map((item) => h('li', {}, h('span', { class: 'swatch', 'data-tone': item.tone, 'aria-hidden': 'true' }), item.label, item.extra ?? null)),
  );
}

function monthSection(byMonth) {
  const months = [...(byMonth || [])].sort((a, b) => a.month.localeCompare(b.month));
  const series = [
    { key: 'draws', tone: 'draws', label: tx('stats.series.draws') },
    { key: 'publications', tone: 'publications', label: tx('stats.series.publications') },
  ];
  if (!months.length) {
    return section('stats-month', 'stats.month.h2', h('figure', { id: 'chart-month', class: 'chart-figure', 'data-chart': 'month' }, h('p', { class: 'muted' }, tx('stats.empty'))));
  }
  const categories = () =>
    months.map((m, i) => {
      const [year, month] = m.month.split('-');
      const newYear = i === 0 || months[i - 1].month.slice(0, 4) !== year;
      return { key: m.month, label: t('month.short', { m: Number(month) }), sublabel: newYear ? year : null, data: m };
    });
  const desc = () =>
    `${t('stats.month.h2')}: ${months.map((m) => t('stats.month.desc', { month: m.month, draws: m.draws, publications: m.publications })).join(separator())}.`;
  const rows = months.map((m) =>
    h(
      'tr',
      { 'data-key': m.month },
      h('th', { scope: 'row' }, h('time', { datetime: m.month }, m.month)),
      h('td', { class: 'num', 'data-series': 'draws', 'data-count': String(m.draws) }, String(m.draws)),
      h('td', { class: 'num', 'data-series': 'publications', 'data-count': String(m.publications) }, String(m.publications)),
    ),
  );
  return section(
    'stats-month',
    'stats.month.h2',
    h(
      'figure',
      { id: 'chart-month', class: 'chart-figure', 'data-chart': 'month' },
      live('div', { class: 'chart-box' }, () =>
        columnChart({ title: t('stats.month.h2'), desc: desc(), categories: categories(), series, value: (c, s) => c.data[s.key] || 0 }),
      ),
      legend(series),
      dataTable('month', rows, [{ key: 'stats.col.month' }, { key: 'stats.series.draws', num: true }, { key: 'stats.series.publications', num: true }]),
    ),
  );
}

function onTimeSection(onTime) {
  const o = onTime || {};
  const parts = [
    { key: 'on_time', tone: 'ok', value: o.on_time || 0 },
    { key: 'late', tone: 'warn', value: o.late || 0 },
    { key: 'overdue_unpublished', tone: 'bad', value: o.overdue_unpublished || 0 },
  ].map((p) => ({ ...p, label: () => t(`stats.ontime.${p.key}`) }));
  const rate = typeof o.rate === 'number' ? o.rate : null;
  const rows = parts.map((p) =>
    h('tr', { 'data-key': p.key }, h('th', { scope: 'row' }, p.label), h('td', { class: 'num', 'data-count': String(p.value) }, String(p.value))),
  );
  return section(
    'stats-ontime',
    'stats.ontime.h2',
    h(
      'figure',
      { id: 'chart-ontime', class: 'chart-figure', 'data-chart': 'ontime' },
      h('p', { class: 'rate-line' }, () => (rate === null ? t('stats.rate.none') : t('stats.rate.text', { rate: formatRate(rate) }))),
      live('div', { class: 'chart-box' }, () =>
        shareBar({ title: t('stats.ontime.h2'), desc: describe(t('stats.ontime.h2'), parts), parts: parts.map((p) => ({ ...p, label: p.label() })) }),
      ),
      legend(parts.map((p) => ({ tone: p.tone, label: p.label, extra: [': ', h('strong', {}, String(p.value))] }))),
      dataTable('ontime', rows, [{ key: 'stats.col.status' }, { key: 'stats.col.count', num: true }]),
    ),
  );
}

function summary(statistics) {
  const rate = statistics.on_time && typeof statistics.on_time.rate === 'number' ? statistics.on_time.rate : null;
  return h(
    'dl',
    { class: 'stat-tiles', id: 'stats-summary' },
    h('div', {}, h('dt', {}, tx('stats.published')), h('dd', { id: 'stat-published', 'data-count': String(statistics.published) }, String(statistics.published))),
    h(
      'div',
      {},
      h('dt', {}, tx('stats.rate')),
      h('dd', { id: 'stat-rate', 'data-rate': rate === null ? '' : String(rate) }, rate === null ? '—' : () => formatRate(rate)),
    ),
  );
}

/** @param {string} year '' for all years */
async function showStats(year) {
  const box = $('#stats');
  box.setAttribute('aria-busy', 'true');
  box.dataset.loaded = 'false';
  let statistics;
  let outcomes;
  try {
    const query = year ? `?year=${encodeURIComponent(year)}` : '';
    [statistics, outcomes] = await Promise.all([api(`/api/public/statistics${query}`), loadOutcomes()]);
  } catch (error) {
    box.replaceChildren(errorBox(error));
    box.removeAttribute('aria-busy');
    return;
  }
  const choose = (chosen) => {
    // The year goes into the address, so a link shows the same statistics.
    history.replaceState(null, '', chosen ? `${location.pathname}?year=${encodeURIComponent(chosen)}` : location.pathname);
    showStats(chosen).then(() => {
      const select = $('#stats-year');
      if (select) select.focus();
    });
  };
  fill(
    box,
    yearFilter(statistics, choose),
    summary(statistics),
    categorySection('stats-outcome', 'stats.outcome.h2', 'outcome', outcomeRows(statistics, outcomes)),
    categorySection('stats-region', 'stats.region.h2', 'region', regionRows(statistics)),
    categorySection('stats-risk', 'stats.risk.h2', 'risk', riskRows(statistics)),
    categorySection('stats-department', 'stats.department.h2', 'department', departmentRows(statistics)),
    categorySection('stats-item', 'stats.item.h2', 'item', itemRows(statistics)),
    categorySection('stats-plan', 'stats.plan.h2', 'plan', planRows(statistics)),
    coverageSection(statistics),
    monthSection(statistics.by_month),
    onTimeSection(statistics.on_time),
  );
  box.dataset.loaded = 'true';
  box.dataset.year = statistics.year == null ? '' : String(statistics.year);
  box.removeAttribute('aria-busy');
}

export async function pageStats() {
  setTitle(() => t('title.stats'));
  const year = new URLSearchParams(location.search).get('year') || '';
  await showStats(/^[0-9]{4}$/.test(year) ? year : '');
}
