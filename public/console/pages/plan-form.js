// @ts-check
// Starting an annual plan (#/plans/new) and changing a draft
// (#/plans/CODE/edit): the year, code and name; a row per item (chosen
// from the department's items) with its ratio over the year and the
// ratios of the risk classes; a row per batch with its name and dates.
// Rows are added and removed with buttons, the focus following. The server
// checks the whole plan; what it refuses is shown beside the field it names.

import { h, tx } from '../../lib/dom.js';
import { t } from '../../lib/i18n.js';
import { field, input, refusal, select, showErrors } from '../forms.js';
import { go } from '../router.js';
import { send, user } from '../session.js';
import { loadItems } from './tasks/data.js';
import { loadPlan, planNotFound, planPage } from './plans.js';

/**
 * @typedef {import('./plans.js').Plan} Plan
 * @typedef {import('./plans.js').PlanItem} PlanItem
 * @typedef {import('./plans.js').PlanBatch} PlanBatch
 */

/** The risk classes of the target directory, each of which may have its own ratio. */
const CLASSES = ['A', 'B', 'C', 'D'];

/** A ratio as the API takes it: "5" and "5％" are sent as "5%"; anything else as typed, for the server to name. */
export function ratioOf(/** @type {string} */ text) {
  const value = text.trim().replace(/\s*％$/, '%');
  return /^\d{1,3}(\.\d+)?$/.test(value) ? `${value}%` : value;
}

/**
 * A refusal of the plan: in Chinese, the plan's own message for the code
 * where it has one (plans.error.*), else the console's (forms.js refusal()).
 * @param {import('../../lib/api.js').ApiError} error
 * @returns {import('../forms.js').Message}
 */
function planRefusal(error) {
  return refusal(error, { key: `plans.error.${error.code}` });
}

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} params
 */
export async function planFormPage(main, params) {
  const me = /** @type {import('../session.js').User} */ (user());
  const plan = params.code ? await loadPlan(params.code) : null;
  if (params.code && !plan) return planNotFound(main, params.code);
  if (plan && plan.state !== 'draft') {
    main.append(
      h('h1', {}, tx('plans.form.edit.h1')),
      h('p', { class: 'notice notice-warn' }, tx('plans.form.final')),
      h('p', {}, h('a', { href: planPage(plan.code) }, plan.name)),
    );
    return;
  }
  const all = await loadItems();
  const chosen = plan ? plan.items.map((item) => item.item) : [];
  // The department's own items; a retired one only where the draft already has it, to be taken out.
  const items = all.filter((item) => item.department === me.department && (!item.retired_on || chosen.includes(item.code)));

  const itemRows = h('div', { class: 'plan-rows', id: 'plan-item-rows' });
  const batchRows = h('div', { class: 'plan-rows', id: 'plan-batch-rows' });
  let next = 0;

  /** Per row, what redraws the texts that say its place (its legend and remove button). */
  /** @type {WeakMap<Element, () => void>} */
  const redraws = new WeakMap();

  /** Numbers the rows of `holder` 1..n, as their legends and remove buttons say. @param {HTMLElement} holder */
  const renumber = (holder) => {
    [...holder.children].forEach((row, index) => {
      /** @type {HTMLElement} */ (row).dataset.position = String(index + 1);
      (redraws.get(row) || (() => {}))();
    });
  };

  /**
   * Texts that follow both the language and the row's place: each h()
   * keeps its text in a span it re-renders on a language switch, and a
   * renumbering re-renders that span too.
   * @param {Element} row
   * @param {HTMLElement[]} elements
   * @param {Array<() => string>} texts
   */
  const followPlace = (row, elements, texts) =>
    redraws.set(row, () =>
      elements.forEach((el, i) => {
        /** @type {HTMLElement} */ (el.firstElementChild).textContent = texts[i]();
      }),
    );

  /**
   * Removes a row; the focus goes to the next row, or the previous one, or the add button.
   * @param {HTMLElement} row
   * @param {HTMLElement} holder
   * @param {string} addId
   */
  const removeRow = (row, holder, addId) => {
    const after = /** @type {HTMLElement | null} */ (row.nextElementSibling || row.previousElementSibling);
    row.remove();
    renumber(holder);
    const target = after ? after.querySelector('select, input') : document.getElementById(addId);
    if (target) /** @type {HTMLElement} */ (target).focus();
  };

  /** @param {PlanItem | null} item */
  const addItemRow = (item) => {
    const n = next++;
    // The row's place, read by its legend and button (drawn before the row exists, so 0 until renumbered).
    /** @type {HTMLElement | null} */
    let row = null;
    const position = () => Number((row && row.dataset.position) || 0);
    const legendText = () => t('plans.form.item.legend', { n: position() });
    const removeText = () => t('plans.form.item.remove', { n: position() });
    const legend = h('legend', {}, legendText);
    const remove = h(
      'button',
      { type: 'button', class: 'secondary remove-row', onclick: () => removeRow(/** @type {HTMLElement} */ (row), itemRows, 'add-plan-item') },
      removeText,
    );
    row = h(
      'fieldset',
      { class: 'plan-row plan-item-row', dataset: { row: String(n), regions: JSON.stringify((item && item.regions) || []), industries: JSON.stringify((item && item.industries) || []) } },
      legend,
      field({
        label: tx('plans.form.item'),
        control: select(`plan-item-${n}`, [
          ['', tx('plans.form.item.choose')],
          ...items.map((i) => /** @type {[string, string]} */ ([i.code, `${i.name}（${i.code}）`])),
        ]),
      }),
      field({ label: tx('plans.form.ratio'), hint: tx('plans.form.ratio.hint'), control: input(`plan-ratio-${n}`, { value: item ? item.ratio : '', class: 'short-input' }) }),
      field({
        label: tx('plans.form.frequency'),
        hint: tx('plans.form.frequency.hint'),
        control: input(`plan-frequency-${n}`, { value: item && item.draws_per_year ? String(item.draws_per_year) : '', inputmode: 'numeric', class: 'short-input' }),
      }),
      h(
        'fieldset',
        { class: 'choices choices-inline plan-risk' },
        h('legend', {}, tx('plans.form.risk')),
        CLASSES.map((c) =>
          field({
            label: tx('plans.form.risk.class', { class: c }),
            control: input(`plan-risk-${n}-${c}`, { value: (item && item.risk_ratios && item.risk_ratios[c]) || '', class: 'short-input', dataset: { class: c } }),
          }),
        ),
      ),
      remove,
    );
    followPlace(row, [legend, remove], [legendText, removeText]);
    /** @type {HTMLSelectElement} */ (row.querySelector('select')).value = item ? item.item : '';
    itemRows.append(row);
    renumber(itemRows);
    return row;
  };

  /** @param {PlanBatch | null} batch */
  const addBatchRow = (batch) => {
    const n = next++;
    /** @type {HTMLElement | null} */
    let row = null;
    const position = () => Number((row && row.dataset.position) || 0);
    const legendText = () => t('plans.form.batch.legend', { n: position() });
    const removeText = () => t('plans.form.batch.remove', { n: position() });
    const legend = h('legend', {}, legendText);
    const remove = h(
      'button',
      { type: 'button', class: 'secondary remove-row', onclick: () => removeRow(/** @type {HTMLElement} */ (row), batchRows, 'add-plan-batch') },
      removeText,
    );
    const date = { inputmode: 'numeric', class: 'short-input', placeholder: 'YYYY-MM-DD' };
    row = h(
      'fieldset',
      { class: 'plan-row plan-batch-row', dataset: { row: String(n) } },
      legend,
      field({ label: tx('plans.form.batch.name'), control: input(`plan-batch-name-${n}`, { value: batch ? batch.name : '', lang: 'zh-CN' }) }),
      field({ label: tx('plans.form.batch.starts'), control: input(`plan-batch-starts-${n}`, { value: batch ? batch.starts : '', ...date }) }),
      field({ label: tx('plans.form.batch.ends'), control: input(`plan-batch-ends-${n}`, { value: batch ? batch.ends : '', ...date }) }),
      remove,
    );
    followPlace(row, [legend, remove], [legendText, removeText]);
    batchRows.append(row);
    renumber(batchRows);
    return row;
  };

  for (const item of plan ? plan.items : [null]) addItemRow(item);
  for (const batch of plan ? plan.batches : [null]) addBatchRow(batch);

  /** Adds a row and puts the focus in it. @param {() => HTMLElement} add */
  const addAndFocus = (add) => {
    const control = /** @type {HTMLElement | null} */ (add().querySelector('select, input'));
    if (control) control.focus();
  };

  const year = input('plan-year', { value: plan ? String(plan.year) : String(new Date().getFullYear()), inputmode: 'numeric', class: 'short-input' });
  const code = plan ? null : input('plan-code', { autocomplete: 'off' });
  const name = input('plan-name', { value: plan ? plan.name : '', lang: 'zh-CN', class: 'wide-input' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack-form plan-form', novalidate: true, onsubmit: submit },
      field({ label: tx('plans.form.year'), hint: tx('plans.form.year.hint'), control: year }),
      code ? field({ label: tx('plans.form.code'), hint: tx('plans.form.code.hint'), control: code }) : null,
      field({ label: tx('plans.form.name'), control: name, wide: true }),
      h(
        'fieldset',
        { class: 'choices plan-part', 'aria-describedby': 'plan-items-hint' },
        h('legend', {}, tx('plans.form.items')),
        h('p', { class: 'hint', id: 'plan-items-hint' }, tx('plans.form.items.hint')),
        itemRows,
        h('button', { type: 'button', class: 'secondary', id: 'add-plan-item', 'aria-describedby': 'add-plan-item-error', onclick: () => addAndFocus(() => addItemRow(null)) }, tx('plans.form.item.add')),
        h('p', { class: 'field-error', id: 'add-plan-item-error', hidden: true }),
      ),
      h(
        'fieldset',
        { class: 'choices plan-part', 'aria-describedby': 'plan-batches-hint' },
        h('legend', {}, tx('plans.form.batches')),
        h('p', { class: 'hint', id: 'plan-batches-hint' }, tx('plans.form.batches.hint')),
        batchRows,
        h('button', { type: 'button', class: 'secondary', id: 'add-plan-batch', 'aria-describedby': 'add-plan-batch-error', onclick: () => addAndFocus(() => addBatchRow(null)) }, tx('plans.form.batch.add')),
        h('p', { class: 'field-error', id: 'add-plan-batch-error', hidden: true }),
      ),
      h(
        'div',
        { class: 'form-buttons' },
        h('button', { type: 'submit', id: 'save-plan' }, tx(plan ? 'plans.form.save' : 'plans.form.create')),
        h('a', { href: plan ? planPage(plan.code) : '#/plans' }, tx('plans.form.cancel')),
      ),
    )
  );
  main.append(
    h('p', { class: 'back-link' }, h('a', { href: '#/plans' }, tx('plans.back'))),
    h('h1', {}, tx(plan ? 'plans.form.edit.h1' : 'plans.form.new.h1')),
    plan ? h('p', { class: 'lead', lang: 'zh-CN' }, plan.name, ' ', h('code', {}, plan.code)) : '',
    h('p', {}, tx('plans.form.intro')),
    form,
  );

  /** The plan the form holds, as the API takes it. */
  function read() {
    const value = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (form.querySelector(`#${CSS.escape(id)}`)).value.trim();
    return {
      year: Number(year.value.trim()),
      name: name.value.trim(),
      items: [...itemRows.children].map((row) => {
        const el = /** @type {HTMLElement} */ (row);
        const n = el.dataset.row;
        /** @type {Record<string, string>} */
        const risk = {};
        for (const box of el.querySelectorAll('input[data-class]')) {
          const text = /** @type {HTMLInputElement} */ (box).value.trim();
          if (text) risk[/** @type {string} */ (/** @type {HTMLElement} */ (box).dataset.class)] = ratioOf(text);
        }
        // Left empty: no frequency. Anything but a whole number is sent as 0,
        // which the server refuses beside this field.
        const frequency = value(`plan-frequency-${n}`);
        return {
          item: value(`plan-item-${n}`),
          ratio: ratioOf(value(`plan-ratio-${n}`)),
          risk_ratios: risk,
          regions: JSON.parse(el.dataset.regions || '[]'),
          industries: JSON.parse(el.dataset.industries || '[]'),
          ...(frequency ? { draws_per_year: /^[0-9]{1,3}$/.test(frequency) ? Number(frequency) : 0 } : {}),
        };
      }),
      batches: [...batchRows.children].map((row, index) => {
        const n = /** @type {HTMLElement} */ (row).dataset.row;
        return { number: index + 1, name: value(`plan-batch-name-${n}`), starts: value(`plan-batch-starts-${n}`), ends: value(`plan-batch-ends-${n}`) };
      }),
    };
  }

  /**
   * The form control a server error's field names ("items[1].risk_ratios.D",
   * "batches[0].ends"), or null for the whole form.
   * @param {string | null} name
   */
  function controlOf(name) {
    if (!name) return null;
    if (['year', 'code', 'name'].includes(name)) return `plan-${name}`;
    const row = /^(items|batches)\[(\d+)\](?:\.(\w+))?(?:\.|\[)?["']?([^\]"']*)/.exec(name);
    if (!row) {
      if (name.startsWith('items')) return 'add-plan-item';
      if (name.startsWith('batches')) return 'add-plan-batch';
      return null;
    }
    const holder = row[1] === 'items' ? itemRows : batchRows;
    const el = /** @type {HTMLElement | undefined} */ (holder.children[Number(row[2])]);
    if (!el) return row[1] === 'items' ? 'add-plan-item' : 'add-plan-batch';
    const n = el.dataset.row;
    if (row[1] === 'items') {
      if (row[3] === 'ratio') return `plan-ratio-${n}`;
      if (row[3] === 'draws_per_year') return `plan-frequency-${n}`;
      if (row[3] === 'risk_ratios' && row[4] && el.querySelector(`#${CSS.escape(`plan-risk-${n}-${row[4]}`)}`)) return `plan-risk-${n}-${row[4]}`;
      if (row[3] === 'risk_ratios') return /** @type {HTMLElement | null} */ (el.querySelector('input[data-class]'))?.id || `plan-ratio-${n}`;
      return `plan-item-${n}`;
    }
    if (row[3] === 'starts' || row[3] === 'ends') return `plan-batch-${row[3]}-${n}`;
    return `plan-batch-name-${n}`;
  }

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    const body = read();
    if (!/^\d{4}$/.test(year.value.trim())) {
      showErrors(form, [['plan-year', tx('plans.form.year.check')]]);
      return;
    }
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('#save-plan'));
    button.disabled = true;
    try {
      /** @type {Plan} */
      const saved = plan
        ? await send('PUT', `/api/plans/${encodeURIComponent(plan.code)}`, body)
        : await send('POST', '/api/plans', { ...body, code: /** @type {HTMLInputElement} */ (code).value.trim() });
      go(`${planPage(saved.code)}?done=${plan ? 'saved' : 'created'}`);
    } catch (error) {
      showErrors(form, [[error.status === 0 ? null : controlOf(error.field), planRefusal(error)]]);
    } finally {
      button.disabled = false;
    }
  }
}
