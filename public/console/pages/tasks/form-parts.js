// @ts-check
// The parts of the task form, one fieldset group each: name and plan;
// departments and items; the pool; strata and quotas; inspectors; the
// entropy plan; embargo and publication. Each is filled from the draft's
// definition (or sensible defaults for a new task).

import { h, tx } from '../../../lib/dom.js';
import { getLang, t } from '../../../lib/i18n.js';
import { field, input, select } from '../../forms.js';
import { choices, ticked } from './choices.js';
import { when } from './describe.js';
import { FORMATS } from './entropy-format.js';

/**
 * @typedef {import('./data.js').TaskDefinition} TaskDefinition
 * @typedef {import('./data.js').Item} Item
 * @typedef {import('./data.js').Facets} Facets
 * @typedef {import('./data.js').Department} Department
 * @typedef {{definition: TaskDefinition | null, lead: string, items: Item[], facets: Facets,
 *   departments: Department[]}} FormData
 */

/** The strata columns a task may use. */
const STRATA = ['region', 'industry', 'risk_class', 'unit'];

/** A department's name in the current language, or its code. */
export function departmentName(/** @type {Department[]} */ departments, /** @type {string} */ code) {
  const found = departments.find((d) => d.code === code);
  if (!found) return code;
  return getLang() === 'zh' ? found.name_zh || code : found.name_en || code;
}

/** @param {string} id @param {any} label @param {string} value @param {Record<string, any>} [attrs] @param {any} [hint] */
function textField(id, label, value, attrs = {}, hint) {
  return field({ label, control: input(id, { value, ...attrs }), hint });
}

/** Name and plan. @param {FormData} data */
export function aboutPart({ definition: d }) {
  return [
    textField('task-name', tx('tasks.field.name'), d ? d.name : '', { class: 'wide-input' }, tx('tasks.field.name.hint')),
    textField('plan-id', tx('tasks.field.planId'), (d && d.plan_id) || '', {}, tx('tasks.field.optional')),
    textField('plan-name', tx('tasks.field.planName'), (d && d.plan_name) || '', {}, tx('tasks.field.planName.hint')),
    textField('plan-batch', tx('tasks.field.planBatch'), d && d.plan_batch ? String(d.plan_batch) : '', { inputmode: 'numeric', class: 'short-input' }, tx('tasks.field.planBatch.hint')),
  ];
}

/**
 * Departments taking part and the items: items are offered from the lead
 * department's and the chosen departments' lists.
 * @param {FormData} data
 */
export function itemsPart(data) {
  const { definition: d, lead, departments } = data;
  const joint = d ? (d.departments || []).filter((code) => code !== lead) : [];
  const others = departments.filter((dept) => dept.code !== lead);
  const holder = h('div', { class: 'items-holder' });
  const part = h(
    'div',
    {},
    choices({
      id: 'joint',
      legend: tx('tasks.field.joint'),
      hint: tx('tasks.field.joint.hint'),
      choices: others.map((dept) => ({ value: dept.code, label: () => departmentName(departments, dept.code) })),
      checked: joint,
      empty: tx('tasks.field.joint.none'),
    }),
    holder,
  );
  const drawItems = (/** @type {string[]} */ checked) => {
    const chosen = [lead, ...ticked(part, 'joint')];
    const offered = data.items.filter((item) => chosen.includes(item.department));
    holder.replaceChildren(
      choices({
        id: 'items',
        legend: tx('tasks.field.items'),
        hint: tx('tasks.field.items.hint'),
        choices: offered.map((item) => ({
          value: item.code,
          label: `${item.name}（${item.code}）`,
          hint: () => t('tasks.field.item.basis', { basis: item.legal_basis || '—', department: departmentName(departments, item.department) }),
        })),
        checked,
        empty: tx('tasks.field.items.none'),
      }),
    );
  };
  drawItems(d ? d.items : []);
  part.addEventListener('change', (event) => {
    if (/** @type {HTMLInputElement} */ (event.target).name === 'joint') drawItems(ticked(part, 'items'));
  });
  return part;
}

/**
 * The facet values as choices: "value (count targets)".
 * @param {import('./data.js').Facet[]} facets
 */
function facetChoices(facets) {
  return facets.map((facet) => ({ value: facet.value, label: () => t('tasks.field.facet', { value: facet.value, count: facet.count }) }));
}

/** The pool filter. @param {FormData} data */
export function poolPart({ definition: d, facets }) {
  const filter = (d && d.filter) || {};
  const within = filter.exclude_inspected_within_days;
  return [
    h('p', { class: 'hint' }, tx('tasks.field.pool.hint')),
    choices({ id: 'regions', legend: tx('tasks.field.regions'), choices: facetChoices(facets.regions), checked: filter.regions || [], empty: tx('tasks.field.facet.none'), inline: true }),
    choices({ id: 'industries', legend: tx('tasks.field.industries'), choices: facetChoices(facets.industries), checked: filter.industries || [], empty: tx('tasks.field.facet.none'), inline: true }),
    choices({ id: 'classes', legend: tx('tasks.field.classes'), choices: facetChoices(facets.risk_classes), checked: filter.risk_classes || [], empty: tx('tasks.field.facet.none'), inline: true }),
    choices({ id: 'flags', legend: tx('tasks.field.flags'), hint: tx('tasks.field.flags.hint'), choices: facetChoices(facets.flags), checked: filter.exclude_flags || [], empty: tx('tasks.field.facet.none'), inline: true }),
    textField('inspected-within', tx('tasks.field.within'), within === null || within === undefined ? '' : String(within), { inputmode: 'numeric', class: 'short-input' }, tx('tasks.field.within.hint')),
  ];
}

/**
 * Strata and quotas: the default quota, and quotas of particular strata
 * whose keys are offered from the directory's values of the chosen columns.
 * @param {FormData} data
 * @param {HTMLFormElement} form
 */
export function strataPart({ definition: d, facets }, form) {
  const quota = d ? d.quota : { ratio: '3%' };
  const kind = quota ? (quota.ratio ? 'ratio' : 'count') : 'none';
  const value = quota ? (quota.ratio ? quota.ratio.replace('%', '') : String(quota.count)) : '';
  const rows = h('div', { class: 'stratum-rows', id: 'stratum-rows' });
  const keys = h('datalist', { id: 'stratum-keys' });
  let next = 0;
  const addRow = (/** @type {string} */ key, /** @type {import('./data.js').QuotaRule} */ rule) => {
    const n = next++;
    const row = h(
      'div',
      { class: 'stratum-row', dataset: { row: String(n) } },
      field({ label: tx('tasks.field.stratum.key'), control: input(`stratum-key-${n}`, { value: key, list: 'stratum-keys', autocomplete: 'off' }) }),
      field({
        label: tx('tasks.field.stratum.kind'),
        control: select(`stratum-kind-${n}`, [
          ['ratio', tx('tasks.field.quota.ratio')],
          ['count', tx('tasks.field.quota.count')],
        ]),
      }),
      field({ label: tx('tasks.field.stratum.value'), control: input(`stratum-value-${n}`, { value: rule.ratio ? rule.ratio.replace('%', '') : rule.count === undefined ? '' : String(rule.count), class: 'short-input' }) }),
      h('button', { type: 'button', class: 'secondary remove-row', onclick: () => row.remove() }, tx('tasks.field.stratum.remove'), h('span', { class: 'visually-hidden' }, () => ` ${key || t('tasks.field.stratum.new')}`)),
    );
    /** @type {HTMLSelectElement} */ (row.querySelector('select')).value = rule.count !== undefined ? 'count' : 'ratio';
    rows.append(row);
    return row;
  };
  for (const [key, rule] of Object.entries((d && d.quota_by_stratum) || {})) addRow(key, rule);
  const offerKeys = () => {
    const columns = ticked(form, 'strata');
    keys.replaceChildren(...strataKeys(columns, form, facets).map((key) => h('option', { value: key })));
    offered = columns.length ? keys.children.length : -1;
    /** @type {HTMLElement} */ (hint.firstElementChild).textContent = keysHint();
  };
  let offered = -1;
  const keysHint = () => (offered >= 0 ? t('tasks.field.strata.keys', { count: offered }) : t('tasks.field.strata.one'));
  const hint = h('p', { class: 'hint', id: 'stratum-keys-hint', 'aria-live': 'polite' }, keysHint);
  form.addEventListener('change', offerKeys);
  queueMicrotask(offerKeys);
  return [
    choices({
      id: 'strata',
      legend: tx('tasks.field.strata'),
      hint: tx('tasks.field.strata.hint'),
      choices: STRATA.map((column) => ({ value: column, label: tx(`tasks.column.${column}`) })),
      checked: (d && d.strata_by) || [],
      inline: true,
    }),
    choices({
      id: 'quota-kind',
      type: 'radio',
      legend: tx('tasks.field.quota'),
      hint: tx('tasks.field.quota.hint'),
      choices: [
        { value: 'ratio', label: tx('tasks.field.quota.ratio') },
        { value: 'count', label: tx('tasks.field.quota.count') },
        { value: 'none', label: tx('tasks.field.quota.none') },
      ],
      checked: [kind],
    }),
    textField('quota-value', tx('tasks.field.quota.value'), value, { class: 'short-input' }, tx('tasks.field.quota.value.hint')),
    h(
      'fieldset',
      { class: 'choices' },
      h('legend', {}, tx('tasks.field.byStratum')),
      hint,
      keys,
      rows,
      h('button', { type: 'button', class: 'secondary', id: 'add-stratum-quota', onclick: () => addRow('', { ratio: '' }).querySelector('input')?.focus() }, tx('tasks.field.stratum.add')),
      h('p', { class: 'field-error', id: 'add-stratum-quota-error', hidden: true }),
    ),
  ];
}

/**
 * The stratum keys the chosen columns make of the directory's values (as
 * the pool filter narrows them), at most 200; none when a column has no
 * known values (the unit).
 * @param {string[]} columns
 * @param {HTMLFormElement} form
 * @param {Facets} facets
 */
function strataKeys(columns, form, facets) {
  if (!columns.length) return ['all'];
  /** @type {Record<string, [string, import('./data.js').Facet[]]>} */
  const sources = { region: ['regions', facets.regions], industry: ['industries', facets.industries], risk_class: ['classes', facets.risk_classes] };
  /** @type {string[]} */
  let keys = [''];
  for (const column of columns) {
    const source = sources[column];
    if (!source) return [];
    const narrowed = ticked(form, source[0]);
    const values = narrowed.length ? narrowed : source[1].map((facet) => facet.value);
    keys = keys.flatMap((prefix) => values.map((value) => (prefix ? `${prefix}/${value}` : value)));
    if (keys.length > 200) return keys.slice(0, 200);
  }
  return keys;
}

/** Inspectors. @param {FormData} data */
export function inspectorsPart({ definition: d }) {
  return [
    textField('per-target', tx('tasks.field.perTarget'), String((d && d.inspectors_per_target) || 2), { inputmode: 'numeric', class: 'short-input' }, tx('tasks.field.perTarget.hint')),
    choices({
      id: 'cross',
      legend: tx('tasks.field.cross'),
      hint: tx('tasks.field.cross.hint'),
      choices: [
        { value: 'region', label: tx('tasks.field.cross.region') },
        { value: 'unit', label: tx('tasks.field.cross.unit') },
      ],
      checked: (d && d.cross) || [],
    }),
    h(
      'div',
      { class: 'checkbox-field' },
      h('input', { type: 'checkbox', id: 'balance', name: 'balance', checked: d ? d.balance !== false : true, 'aria-describedby': 'balance-hint' }),
      h('label', { for: 'balance' }, tx('tasks.field.balance')),
      h('p', { class: 'hint choice-hint', id: 'balance-hint' }, tx('tasks.field.balance.hint')),
    ),
    textField('certificate-date', tx('tasks.field.certificate'), (d && d.certificate_date) || '', { inputmode: 'numeric', class: 'short-input', placeholder: 'YYYY-MM-DD' }, tx('tasks.field.certificate.hint')),
  ];
}

/**
 * The entropy plan: the public ceremony (its format, source, minimum length
 * and time) or a drand beacon round fixed at the commitment (its margin).
 * Only the fields of the plan chosen are shown.
 * @param {FormData} data
 */
export function entropyPart({ definition: d }) {
  const plan = d ? d.entropy : null;
  const drand = !!plan && plan.format === 'drand';
  const ceremonyPlan = drand ? null : plan;
  const event = ceremonyPlan && ceremonyPlan.event_at ? when(ceremonyPlan.event_at) : '';
  const [date, time] = event && event !== ceremonyPlan?.event_at ? event.split(' ') : ['', ''];
  const margin = drand && plan.margin_seconds ? String(Math.round(plan.margin_seconds / 60)) : '10';
  const ceremony = h(
    'div',
    { id: 'ceremony-fields', hidden: drand },
    choices({
      id: 'entropy-format',
      type: 'radio',
      legend: tx('tasks.field.format'),
      choices: FORMATS.map((format) => ({ value: format, label: tx(`tasks.format.${format}`), hint: tx(`tasks.format.rule.${format}`) })),
      checked: [ceremonyPlan ? ceremonyPlan.format : 'dice'],
    }),
    field({ label: tx('tasks.field.source'), control: h('textarea', { id: 'entropy-source', name: 'entropy-source', rows: 2 }, ceremonyPlan ? ceremonyPlan.source : ''), hint: tx('tasks.field.source.hint'), wide: true }),
    textField('entropy-min', tx('tasks.field.min'), String((ceremonyPlan && ceremonyPlan.min_length) || 20), { inputmode: 'numeric', class: 'short-input' }, tx('tasks.field.min.hint')),
    h(
      'fieldset',
      { class: 'choices date-time' },
      h('legend', {}, tx('tasks.field.event')),
      h('p', { class: 'hint' }, tx('tasks.field.event.hint')),
      textField('event-date', tx('tasks.field.event.date'), date, { inputmode: 'numeric', class: 'short-input', placeholder: 'YYYY-MM-DD' }),
      textField('event-time', tx('tasks.field.event.time'), time, { inputmode: 'numeric', class: 'short-input', placeholder: 'HH:MM:SS' }),
    ),
  );
  const beacon = h(
    'div',
    { id: 'drand-fields', hidden: !drand },
    textField('drand-margin', tx('tasks.field.margin'), margin, { inputmode: 'numeric', class: 'short-input' }, tx('tasks.field.margin.hint')),
  );
  const kind = choices({
    id: 'entropy-kind',
    type: 'radio',
    legend: tx('tasks.field.kind'),
    choices: [
      { value: 'ceremony', label: tx('tasks.kind.ceremony'), hint: tx('tasks.kind.ceremony.hint') },
      { value: 'drand', label: tx('tasks.kind.drand'), hint: tx('tasks.kind.drand.hint') },
    ],
    checked: [drand ? 'drand' : 'ceremony'],
  });
  kind.addEventListener('change', () => {
    const chosen = ticked(kind, 'entropy-kind')[0] === 'drand';
    ceremony.hidden = chosen;
    beacon.hidden = !chosen;
  });
  return [h('p', { class: 'hint' }, tx('tasks.field.entropy.hint')), kind, ceremony, beacon];
}

/** Embargo and publication. @param {FormData} data */
export function publicationPart({ definition: d }) {
  return [
    textField('embargo-until', tx('tasks.field.embargo'), (d && d.embargo_until) || '', { inputmode: 'numeric', class: 'short-input', placeholder: 'YYYY-MM-DD' }, tx('tasks.field.embargo.hint')),
    textField('inspection-type', tx('tasks.field.type'), (d && d.inspection_type) || '', {}, tx('tasks.field.type.hint')),
    textField('authority', tx('tasks.field.authority'), (d && d.authority) || '', { class: 'wide-input' }, tx('tasks.field.authority.hint')),
  ];
}
