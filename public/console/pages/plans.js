// @ts-check
// The department's annual plans (#/plans): the list, one plan
// (#/plans/CODE) with its items and batches, its approval — final and
// public, so asked for with a confirmation — and, per batch, the quotas
// derived from it (a preview while the plan is a draft), with a link that
// opens the new-task form filled in from them once the plan is approved.

import { h, tx } from '../../lib/dom.js';
import { t } from '../../lib/i18n.js';
import { confirmation, refusal, showErrors } from '../forms.js';
import { dataTable } from './data-table.js';
import { go } from '../router.js';
import { get, send } from '../session.js';

/**
 * @typedef {{item: string, ratio: string, risk_ratios: Record<string, string>, regions?: string[], industries?: string[], draws_per_year?: number}} PlanItem
 * @typedef {{number: number, name: string, starts: string, ends: string}} PlanBatch
 * @typedef {{department: string, code: string, year: number, name: string, state: 'draft' | 'approved',
 *   items: PlanItem[], batches: PlanBatch[], approved_at?: string | null, sha256?: string | null}} Plan
 * @typedef {{risk_class: string, pool: number, ratio: string, annual_target: number, drawn: number,
 *   remaining: number, quota: number}} Stratum
 * @typedef {{batch: number, remaining_batches: number, items: Array<{item: string, strata: Stratum[]}>,
 *   task: Record<string, any>}} Derivation
 */

/** The address of a plan's page. @param {string} code */
export const planPage = (code) => `#/plans/${encodeURIComponent(code)}`;

/** Where the public site shows an approved plan. @param {Plan} plan */
const publicHref = (plan) => `/plans.html?department=${encodeURIComponent(plan.department)}&code=${encodeURIComponent(plan.code)}`;

/**
 * The plan `code` of the caller's department, or null when it has none
 * (another department's plan is "not found" too).
 * @param {string} code
 * @returns {Promise<Plan | null>}
 */
export async function loadPlan(code) {
  try {
    return await get(`/api/plans/${encodeURIComponent(code)}`);
  } catch (error) {
    if (error.status === 404 || error.status === 403) return null;
    throw error;
  }
}

/** The page for a plan the caller cannot open. @param {HTMLElement} main @param {string} code */
export function planNotFound(main, code) {
  main.append(
    h('h1', {}, tx('plans.notfound.h1')),
    h('p', {}, tx('plans.notfound.text', { code })),
    h('p', {}, h('a', { href: '#/plans' }, tx('plans.back'))),
  );
}

/** A plan's state as a badge. @param {Plan['state']} state */
const stateBadge = (state) => h('span', { class: 'state', 'data-state': state === 'approved' ? 'revealed' : 'draft' }, tx(`plans.state.${state}`));

/**
 * The console's table (labelled cells, cards on a phone) of `rows` given
 * as arrays of cells, the first cell of each row its header.
 * @param {string} id
 * @param {() => string} caption
 * @param {string[]} columns message keys
 * @param {any[][]} rows
 */
function table(id, caption, columns, rows) {
  return dataTable({
    id,
    caption,
    rows,
    empty: 'plans.table.none',
    columns: columns.map((label, index) => ({ label, header: index === 0, cell: (/** @type {any[]} */ row) => row[index] })),
  });
}

/** The list of the department's plans (#/plans). @param {HTMLElement} main */
export async function planListPage(main) {
  /** @type {Plan[]} */
  const plans = await get('/api/plans');
  main.append(
    h('h1', {}, tx('plans.list.h1')),
    h('p', { class: 'lead' }, tx('plans.list.intro')),
    h('p', {}, h('a', { href: '#/plans/new', class: 'button-link', id: 'new-plan' }, tx('plans.list.new'))),
    plans.length
      ? table(
          'plan-list',
          () => t('plans.list.caption'),
          ['plans.col.year', 'plans.col.code', 'plans.col.name', 'plans.col.state', 'plans.col.items', 'plans.col.batches'],
          plans.map((plan) => [
            String(plan.year),
            h('a', { href: planPage(plan.code) }, h('code', {}, plan.code)),
            h('span', { lang: 'zh-CN' }, plan.name),
            stateBadge(plan.state),
            String(plan.items.length),
            String(plan.batches.length),
          ]),
        )
      : h('p', { class: 'notice notice-info', id: 'plan-list-empty' }, tx('plans.list.none')),
  );
}

/** A plan's risk-class ratios in words. @param {PlanItem} item */
function riskWords(item) {
  const classes = Object.keys(item.risk_ratios || {}).sort();
  if (!classes.length) return tx('plans.risk.same');
  return h('ul', { class: 'plain' }, classes.map((c) => h('li', {}, tx('plans.risk.ratio', { class: c, ratio: item.risk_ratios[c] }))));
}

/**
 * The quotas of a batch as the server derives them from the plan, and the
 * way to a new task with them.
 * @param {Plan} plan
 * @param {Derivation} derivation
 */
function derivationPanel(plan, derivation) {
  const batch = derivation.batch;
  const rows = derivation.items.flatMap((item) =>
    item.strata.map((s) => [
      h('code', {}, item.item),
      s.risk_class,
      String(s.pool),
      s.ratio,
      String(s.annual_target),
      String(s.drawn),
      String(s.remaining),
      h('strong', {}, String(s.quota)),
    ]),
  );
  return h(
    'section',
    { class: 'derivation', id: 'derivation', 'aria-labelledby': 'derivation-h2', dataset: { batch: String(batch) } },
    h('h2', { id: 'derivation-h2', tabindex: '-1' }, tx('plans.derive.h2', { batch })),
    h('p', {}, tx('plans.derive.intro', { k: derivation.remaining_batches })),
    table(
      'derivation-table',
      () => t('plans.derive.caption', { batch }),
      ['plans.col.item', 'plans.col.class', 'plans.col.pool', 'plans.col.ratio', 'plans.col.target', 'plans.col.drawn', 'plans.col.remaining', 'plans.col.quota'],
      rows,
    ),
    plan.state === 'approved'
      ? h(
          'p',
          {},
          h(
            'a',
            { href: `#/tasks/new?plan=${encodeURIComponent(plan.code)}&batch=${batch}`, class: 'button-link', id: 'derive-start' },
            tx('plans.derive.start'),
          ),
        )
      : h('p', { class: 'notice notice-info', id: 'derive-draft' }, tx('plans.derive.approveFirst')),
    h(
      'details',
      { class: 'rules-details' },
      h('summary', {}, tx('plans.derive.fragment')),
      h('pre', { class: 'fragment', tabindex: '0', 'aria-label': tx('plans.derive.fragment') }, h('code', {}, JSON.stringify(derivation.task, null, 2))),
    ),
  );
}

/**
 * The approval: what it means, a box to tick that says so, and the button.
 * @param {Plan} plan
 */
function approveSection(plan) {
  const box = 'approve-confirm';
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'step-form', id: 'approve-form', novalidate: true, onsubmit: submit },
      h(
        'div',
        { class: 'checkbox-field confirm-field' },
        h('input', { type: 'checkbox', id: box, name: box, 'aria-describedby': `${box}-error` }),
        h('label', { for: box }, tx('plans.approve.confirm')),
        h('p', { class: 'field-error', id: `${box}-error`, hidden: true }),
      ),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'approve-button' }, tx('plans.approve.button'))),
    )
  );
  return h(
    'section',
    { class: 'step', id: 'approve-section', 'aria-labelledby': 'approve-h2' },
    h('h2', { id: 'approve-h2' }, tx('plans.approve.h2')),
    h('p', { class: 'notice notice-warn' }, tx('plans.approve.text')),
    form,
  );

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    if (!(/** @type {HTMLInputElement} */ (form.querySelector(`#${box}`)).checked)) {
      showErrors(form, [[box, tx('plans.approve.confirm.missing')]]);
      return;
    }
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('#approve-button'));
    button.disabled = true;
    try {
      await send('POST', `/api/plans/${encodeURIComponent(plan.code)}/approve`, {});
      go(`${planPage(plan.code)}?done=approved`);
    } catch (error) {
      showErrors(form, [[null, refusal(error)]]);
    } finally {
      button.disabled = false;
    }
  }
}

/** What the last step did, said at the top of the plan's page. @param {Plan} plan @param {string | null} done */
function donePanel(plan, done) {
  if (done === 'approved' && plan.state === 'approved') {
    return confirmation(
      tx('plans.done.approved'),
      h('p', {}, tx('plans.done.approved.text')),
      h('p', {}, h('a', { href: publicHref(plan), id: 'plan-public' }, tx('plans.view.public'))),
    );
  }
  if ((done === 'created' || done === 'saved') && plan.state === 'draft') {
    return confirmation(tx(`plans.done.${done}`), h('p', {}, tx('plans.done.draft')));
  }
  return null;
}

/**
 * One plan (#/plans/CODE).
 * @param {HTMLElement} main
 * @param {Record<string, string>} params
 * @param {URLSearchParams} query
 */
export async function planPageView(main, params, query) {
  const found = await loadPlan(params.code);
  if (!found) return planNotFound(main, params.code);
  const plan = found;
  const approved = plan.state === 'approved';
  const derived = h('div', { 'aria-live': 'polite' });
  const done = donePanel(plan, query.get('done'));
  if (done) done.id = 'confirmation';

  /** Derives the quotas of a batch and shows them below the batches. @param {number} number @param {HTMLButtonElement} button */
  async function derive(number, button) {
    button.disabled = true;
    try {
      /** @type {Derivation} */
      const derivation = await get(`/api/plans/${encodeURIComponent(plan.code)}/derivation?batch=${number}`);
      const panel = derivationPanel(plan, derivation);
      derived.replaceChildren(panel);
      /** @type {HTMLElement} */ (panel.querySelector('h2')).focus();
    } catch (error) {
      derived.replaceChildren(h('p', { class: 'notice notice-error', role: 'alert' }, refusal(error)));
    } finally {
      button.disabled = false;
    }
  }

  main.append(
    h('p', { class: 'back-link' }, h('a', { href: '#/plans' }, tx('plans.back'))),
    h('h1', { lang: 'zh-CN' }, plan.name),
    done || '',
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, tx('plans.f.code')), h('dd', {}, h('code', {}, plan.code))),
      h('div', {}, h('dt', {}, tx('plans.f.year')), h('dd', {}, String(plan.year))),
      h('div', {}, h('dt', {}, tx('plans.f.state')), h('dd', { id: 'plan-state', dataset: { state: plan.state } }, stateBadge(plan.state))),
      approved && plan.approved_at ? h('div', {}, h('dt', {}, tx('plans.f.approved')), h('dd', {}, plan.approved_at.slice(0, 10))) : '',
    ),
    approved && plan.sha256 ? h('p', { class: 'muted digest' }, tx('plans.f.sha256'), ': ', h('code', {}, plan.sha256)) : '',
    approved
      ? h('p', {}, h('a', { href: publicHref(plan) }, tx('plans.view.public')))
      : h('p', {}, h('a', { href: `${planPage(plan.code)}/edit`, class: 'button-link', id: 'edit-plan' }, tx('plans.view.edit'))),
    h('h2', {}, tx('plans.items.h2')),
    table(
      'plan-items',
      () => t('plans.items.caption'),
      ['plans.col.item', 'plans.col.ratio', 'plans.col.risk', 'plans.col.frequency'],
      plan.items.map((item) => [
        h('code', {}, item.item),
        item.ratio,
        riskWords(item),
        item.draws_per_year ? tx('plans.frequency.value', { n: item.draws_per_year }) : tx('plans.frequency.none'),
      ]),
    ),
    h('h2', {}, tx('plans.batches.h2')),
    table(
      'plan-batches',
      () => t('plans.batches.caption'),
      ['plans.col.batch', 'plans.col.dates', 'plans.col.derive'],
      plan.batches.map((batch) => [
        [`${batch.number}. `, h('span', { lang: 'zh-CN' }, batch.name)],
        `${batch.starts} – ${batch.ends}`,
        h(
          'button',
          {
            type: 'button',
            class: 'secondary derive-button',
            id: `derive-${batch.number}`,
            onclick: (/** @type {Event} */ e) => derive(batch.number, /** @type {HTMLButtonElement} */ (e.currentTarget)),
          },
          tx('plans.derive'),
          h('span', { class: 'visually-hidden' }, tx('plans.derive.which', { batch: batch.number })),
        ),
      ]),
    ),
    derived,
    approved ? '' : approveSection(plan),
  );
}
