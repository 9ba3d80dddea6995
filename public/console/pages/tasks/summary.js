// @ts-check
// A task's definition as a summary list, part by part, the way the form
// asks for it. On a draft every line has a "change" link to its part of
// the form (check your answers); afterwards the same lines say what was
// committed.

import { h, tx } from '../../../lib/dom.js';
import { t } from '../../../lib/i18n.js';
import { PARTS } from './definition.js';
import { eventWords, listWords, quotaWords } from './describe.js';
import { departmentName } from './form-parts.js';

/**
 * @typedef {import('./data.js').TaskView} TaskView
 * @typedef {import('./data.js').Item} Item
 * @typedef {import('./data.js').Department} Department
 * @typedef {[string, () => any]} Line a label key and its value
 */

/**
 * The lines of each part of a definition.
 * @param {TaskView} task
 * @param {Item[]} items
 * @param {Department[]} departments
 * @returns {Record<string, Line[]>}
 */
export function linesOf(task, items, departments) {
  const d = task.definition;
  const filter = d.filter || {};
  const itemName = (/** @type {string} */ code) => {
    const item = items.find((i) => i.code === code);
    return item ? `${item.name}（${code}）` : code;
  };
  const drawing = d.departments && d.departments.length ? d.departments : [task.department];
  const byStratum = Object.entries(d.quota_by_stratum || {});
  return {
    about: [
      ['tasks.field.name', () => d.name],
      ['tasks.field.planId', () => d.plan_id || t('tasks.summary.none')],
      ['tasks.field.planName', () => d.plan_name || t('tasks.summary.none')],
      ['tasks.field.planBatch', () => (d.plan_batch ? String(d.plan_batch) : t('tasks.summary.none'))],
    ],
    items: [
      ['tasks.summary.departments', () => listWords(drawing.map((code) => departmentName(departments, code)), 'tasks.summary.none')],
      ['tasks.field.items', () => h('ul', { class: 'plain' }, d.items.map((code) => h('li', {}, itemName(code))))],
    ],
    pool: [
      ['tasks.field.regions', () => listWords(filter.regions, 'tasks.summary.all')],
      ['tasks.field.industries', () => listWords(filter.industries, 'tasks.summary.all')],
      ['tasks.field.classes', () => listWords(filter.risk_classes, 'tasks.summary.all')],
      ['tasks.field.flags', () => listWords(filter.exclude_flags, 'tasks.summary.none')],
      [
        'tasks.field.within',
        () =>
          filter.exclude_inspected_within_days
            ? t('tasks.summary.within', { days: filter.exclude_inspected_within_days })
            : t('tasks.summary.none'),
      ],
    ],
    strata: [
      ['tasks.field.strata', () => listWords((d.strata_by || []).map((c) => t(`tasks.column.${c}`)), 'tasks.summary.oneStratum')],
      ['tasks.field.quota', () => quotaWords(d.quota)],
      [
        'tasks.field.byStratum',
        () =>
          byStratum.length
            ? h('ul', { class: 'plain' }, byStratum.map(([key, rule]) => h('li', {}, `${key}: ${quotaWords(rule)}`)))
            : t('tasks.summary.none'),
      ],
    ],
    inspectors: [
      ['tasks.field.perTarget', () => String(d.inspectors_per_target || 2)],
      ['tasks.field.cross', () => listWords((d.cross || []).map((c) => t(`tasks.field.cross.${c}`)), 'tasks.summary.none')],
      ['tasks.field.balance', () => t(d.balance === false ? 'tasks.summary.no' : 'tasks.summary.yes')],
      ['tasks.field.certificate', () => d.certificate_date],
    ],
    entropy: d.entropy.format === 'drand' ? [
      ['tasks.field.kind', () => t('tasks.kind.drand')],
      ['tasks.field.margin', () => t('tasks.summary.minutes', { n: Math.round((d.entropy.margin_seconds || 600) / 60) })],
    ] : [
      ['tasks.field.kind', () => t('tasks.kind.ceremony')],
      ['tasks.field.format', () => `${t(`tasks.format.${d.entropy.format}`)} — ${t(`tasks.format.rule.${d.entropy.format}`)}`],
      ['tasks.field.source', () => d.entropy.source],
      ['tasks.field.min', () => t('tasks.summary.characters', { n: d.entropy.min_length || 20 })],
      ['tasks.field.event', () => eventWords(d.entropy.event_at)],
    ],
    publication: [
      ['tasks.field.embargo', () => d.embargo_until || t('tasks.summary.noEmbargo')],
      ['tasks.field.type', () => d.inspection_type || t('tasks.summary.defaultType')],
      ['tasks.field.authority', () => d.authority || t('tasks.summary.defaultAuthority', { department: departmentName(departments, task.department) })],
    ],
  };
}

/**
 * The summary, part by part; with `change`, each line links to its part of
 * the draft's form.
 * @param {TaskView} task
 * @param {Item[]} items
 * @param {Department[]} departments
 * @param {boolean} change
 */
export function summary(task, items, departments, change) {
  const lines = linesOf(task, items, departments);
  return PARTS.map((part) =>
    h(
      'section',
      { class: 'summary-part', dataset: { part } },
      h('h3', {}, tx(`tasks.part.${part}`)),
      h(
        'dl',
        { class: 'summary-list' },
        lines[part].map(([key, value]) =>
          h(
            'div',
            { class: 'summary-row' },
            h('dt', {}, tx(key)),
            h('dd', {}, value),
            change
              ? h(
                  'dd',
                  { class: 'summary-action' },
                  h(
                    'a',
                    { href: `#/tasks/${task.id}/edit?part=${part}`, class: 'change-link', dataset: { part } },
                    tx('tasks.summary.change'),
                    h('span', { class: 'visually-hidden' }, () => ` ${t(key)}`),
                  ),
                )
              : null,
          ),
        ),
      ),
    ),
  );
}
