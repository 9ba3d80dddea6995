// @ts-check
// The annual plans page (年度抽查工作计划): the approved plans of every
// department by year, and one plan (plans.html?department=market&code=2026-market)
// with its items, their ratios and risk-class ratios, the progress of the
// year (a bar with its figures as text), the batches with their dates,
// state and tasks, and the warnings of a plan falling behind. A phone
// shows each table as stacked cards, each cell labelled.

import { api } from '../lib/api.js';
import { departmentLabel } from '../lib/departments.js';
import { $, fill, h, tx } from '../lib/dom.js';
import { stateBadge } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import { itemLink } from '../lib/items.js';
import { errorBox, setTitle } from '../lib/page.js';
import { stackTable } from '../lib/stack-table.js';

/**
 * @typedef {{department: string, code: string, year: number, name: string, approved_at: string,
 *   items: number, batches: number}} PlanSummary
 * @typedef {{pool: number, annual_target: number, drawn: number, drawn_ratio: string | number,
 *   results_published: number, batches_drawn?: number}} Progress
 * @typedef {{item: string, item_name?: string, ratio: string, risk_ratios: Record<string, string>,
 *   regions?: string[], industries?: string[], draws_per_year?: number, progress: Progress}} PlanItem
 * @typedef {{id: number, name: string, state: string, kept?: boolean}} BatchTask
 * @typedef {{number: number, name: string, starts: string, ends: string, done: boolean, tasks: BatchTask[]}} Batch
 * @typedef {{kind?: string, code?: string, item?: string, annual_target?: number, drawn?: number,
 *   pool?: number, remaining_batches?: number, draws_per_year?: number, batches_drawn?: number,
 *   message?: string}} PlanWarning
 * @typedef {{department: string, code: string, year: number, name: string, approved_at: string, sha256: string,
 *   items: PlanItem[], batches: Batch[], warnings?: PlanWarning[]}} PublicPlan
 */

/** The address of a plan on this page. @param {string} department @param {string} code */
export const planHref = (department, code) =>
  `plans.html?department=${encodeURIComponent(department)}&code=${encodeURIComponent(code)}`;

/** The day of a time, as published (UTC). @param {string} at */
const dayOf = (at) => (at || '').slice(0, 10);

/** The list of plans, a table per department, newest year first. @param {PlanSummary[]} plans */
function planList(plans) {
  if (!plans.length) return h('p', { id: 'plans-none' }, tx('plans.none'));
  /** @type {Map<string, PlanSummary[]>} */
  const byDepartment = new Map();
  for (const plan of plans) byDepartment.set(plan.department, [...(byDepartment.get(plan.department) || []), plan]);
  return [...byDepartment.keys()].sort().map((department) => {
    const own = /** @type {PlanSummary[]} */ (byDepartment.get(department)).sort((a, b) => b.year - a.year || a.code.localeCompare(b.code));
    return h(
      'section',
      { class: 'plan-group', 'aria-labelledby': `plans-${department}-title` },
      h('h2', { id: `plans-${department}-title` }, () => departmentLabel(department)),
      stackTable({
        id: `plans-${department}`,
        caption: () => t('plans.list.caption', { department: departmentLabel(department) }),
        columns: [
          { label: 'plans.col.year', header: true, cell: (plan) => String(plan.year) },
          {
            label: 'plans.col.plan',
            cell: (plan) =>
              h('a', { href: planHref(plan.department, plan.code) }, h('span', { lang: 'zh-CN' }, plan.name), ' ', h('code', {}, plan.code)),
          },
          { label: 'plans.col.items', cell: (plan) => String(plan.items) },
          { label: 'plans.col.batches', cell: (plan) => String(plan.batches) },
          { label: 'plans.col.approved', cell: (plan) => h('time', { datetime: dayOf(plan.approved_at) }, dayOf(plan.approved_at)) },
        ],
        rows: own,
      }),
    );
  });
}

/** A ratio of the drawn share, as sent (a percentage) or from a number. @param {string | number} ratio */
function ratioWords(ratio) {
  if (typeof ratio === 'number') return `${Number(ratio.toFixed(2))}%`;
  return ratio;
}

/** The risk-class ratios of an item, or that every class has the item's. @param {PlanItem} item */
function riskRatios(item) {
  const classes = Object.keys(item.risk_ratios || {}).sort();
  if (!classes.length) return tx('plans.risk.same');
  return h(
    'ul',
    { class: 'plain plan-risk' },
    classes.map((c) => h('li', {}, () => t('plans.risk.ratio', { class: t('risk.class', { c }), ratio: item.risk_ratios[c] }))),
  );
}

/**
 * The year's progress of an item: a bar of the drawn targets against the
 * annual target, and the same figures as text.
 * @param {PlanItem} item
 */
function progressCell(item) {
  const p = item.progress;
  const target = Math.max(p.annual_target, 0);
  const percent = target > 0 ? Math.min(100, Math.floor((p.drawn * 100) / target)) : p.drawn > 0 ? 100 : 0;
  const figures = () => t('plans.progress.text', { drawn: p.drawn, target, percent });
  return h(
    'div',
    { class: 'plan-progress', dataset: { item: item.item } },
    h('progress', {
      max: String(Math.max(target, 1)),
      value: String(Math.min(p.drawn, Math.max(target, 1))),
      'aria-label': () => t('plans.progress.label', { item: item.item }),
      'aria-valuetext': figures,
    }),
    h('p', { class: 'plan-progress-text' }, figures),
    h('p', { class: 'muted' }, () => t('plans.progress.pool', { pool: p.pool, ratio: ratioWords(p.drawn_ratio) })),
    item.draws_per_year
      ? h('p', { class: 'muted plan-frequency' }, () => t('plans.progress.frequency', { n: item.draws_per_year, drawn: p.batches_drawn ?? 0 }))
      : null,
  );
}

/** The narrowing of an item's target categories, if any. @param {PlanItem} item */
function narrowing(item) {
  const regions = item.regions || [];
  const industries = item.industries || [];
  if (!regions.length && !industries.length) return null;
  return h(
    'p',
    { class: 'muted' },
    regions.length ? [tx('plans.only.regions'), ' ', h('span', { lang: 'zh-CN' }, regions.join('、')), ' '] : null,
    industries.length ? [tx('plans.only.industries'), ' ', h('span', { lang: 'zh-CN' }, industries.join('、'))] : null,
  );
}

/** @param {PublicPlan} plan */
function itemsTable(plan) {
  return stackTable({
    id: 'plan-items',
    caption: 'plans.items.caption',
    columns: [
      { label: 'plans.col.item', header: true, cell: (item) => [itemLink(item.item, item.item_name), narrowing(item)] },
      { label: 'plans.col.ratio', cell: (item) => item.ratio },
      { label: 'plans.col.risk', cell: riskRatios },
      { label: 'plans.col.progress', cell: progressCell },
      { label: 'plans.col.results', cell: (item) => String(item.progress.results_published) },
    ],
    rows: plan.items,
  });
}

/** @param {Batch} batch */
function batchTasks(batch) {
  if (!batch.tasks.length) return tx('plans.batch.noTasks');
  return h(
    'ul',
    { class: 'plain plan-tasks' },
    batch.tasks.map((task) =>
      h(
        'li',
        { dataset: { taskId: String(task.id) } },
        h('a', { href: `task.html?id=${task.id}` }, task.name),
        ' ',
        stateBadge(task.state),
        task.kept === true || task.kept === false
          ? [' ', h('span', { class: task.kept ? 'kept' : 'kept kept-no', dataset: { kept: String(task.kept) } }, tx(task.kept ? 'plans.kept.yes' : 'plans.kept.no'))]
          : null,
      ),
    ),
  );
}

/** @param {PublicPlan} plan */
function batchesTable(plan) {
  return stackTable({
    id: 'plan-batches',
    caption: 'plans.batches.caption',
    columns: [
      { label: 'plans.col.batch', header: true, cell: (batch) => [`${batch.number}. `, h('span', { lang: 'zh-CN' }, batch.name)] },
      {
        label: 'plans.col.dates',
        cell: (batch) => [h('time', { datetime: batch.starts }, batch.starts), ' – ', h('time', { datetime: batch.ends }, batch.ends)],
      },
      {
        label: 'plans.col.state',
        cell: (batch) =>
          h('span', { class: 'plan-batch-state', dataset: { done: String(batch.done) } }, tx(batch.done ? 'plans.batch.done' : 'plans.batch.open')),
      },
      { label: 'plans.col.tasks', cell: batchTasks },
    ],
    rows: plan.batches,
  });
}

/** A warning in words. @param {PlanWarning} warning */
function warningText(warning) {
  if (warning.kind === 'plan_behind' && warning.item) {
    return t('plans.warning.behind', { item: warning.item, drawn: warning.drawn ?? '—', target: warning.annual_target ?? '—' });
  }
  if (warning.kind === 'frequency_behind' && warning.item) {
    return t('plans.warning.frequency', { item: warning.item, drawn: warning.batches_drawn ?? 0, n: warning.draws_per_year ?? '—' });
  }
  return warning.message || warning.kind || '';
}

/** @param {PlanWarning[]} warnings */
function warningsBox(warnings) {
  if (!warnings.length) return null;
  return h(
    'div',
    { class: 'notice notice-warn', id: 'plan-warnings', role: 'note' },
    h('p', { class: 'notice-title' }, h('strong', {}, tx('plans.warnings'))),
    h('ul', {}, warnings.map((warning) => h('li', {}, () => warningText(warning)))),
  );
}

/** One plan. @param {PublicPlan} plan */
function planSection(plan) {
  return h(
    'section',
    { id: 'plan', class: 'plan', 'aria-labelledby': 'plan-title', tabindex: '-1', dataset: { department: plan.department, code: plan.code } },
    h('p', { class: 'back-link' }, h('a', { href: 'plans.html' }, tx('plans.back'))),
    h('h2', { id: 'plan-title', lang: 'zh-CN' }, plan.name),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, tx('plans.f.department')), h('dd', {}, () => departmentLabel(plan.department))),
      h('div', {}, h('dt', {}, tx('plans.f.code')), h('dd', {}, h('code', {}, plan.code))),
      h('div', {}, h('dt', {}, tx('plans.f.year')), h('dd', {}, String(plan.year))),
      h('div', {}, h('dt', {}, tx('plans.f.approved')), h('dd', {}, h('time', { datetime: dayOf(plan.approved_at) }, dayOf(plan.approved_at)))),
    ),
    h('p', { class: 'muted digest' }, tx('plans.digest'), ' ', h('code', {}, plan.sha256)),
    warningsBox(plan.warnings || []),
    h('h3', {}, tx('plans.items.h3')),
    h('p', { class: 'muted' }, tx('plans.items.intro')),
    itemsTable(plan),
    h('h3', {}, tx('plans.batches.h3')),
    batchesTable(plan),
  );
}

export async function pagePlans() {
  setTitle(() => t('title.plans'));
  const root = $('#plans');
  const params = new URLSearchParams(location.search);
  const department = params.get('department') || '';
  const code = params.get('code') || '';
  try {
    if (department && code) {
      /** @type {PublicPlan} */
      const plan = await api(`/api/public/plans/${encodeURIComponent(department)}/${encodeURIComponent(code)}`);
      setTitle(() => t('title.plan', { name: plan.name }));
      fill(root, planSection(plan));
    } else {
      /** @type {PlanSummary[]} */
      const plans = await api('/api/public/plans');
      fill(root, planList(plans));
    }
  } catch (error) {
    root.removeAttribute('aria-busy');
    const missing = error && /** @type {any} */ (error).status === 404;
    fill(
      root,
      missing ? h('p', { class: 'notice notice-warn', role: 'alert' }, tx('plans.notFound', { code })) : errorBox(error),
      h('p', {}, h('a', { href: 'plans.html' }, tx('plans.back'))),
    );
    return;
  }
  root.removeAttribute('aria-busy');
  root.dataset.state = 'ready';
}
