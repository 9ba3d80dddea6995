// @ts-check
// Defining a task (#/tasks/new) and changing a draft (#/tasks/ID/edit):
// one form laid out as a task list of its parts, each marked done or not
// as it is filled in. The server checks the whole definition again; what it
// refuses is shown beside the field it names and in the error summary.

import { h, tx } from '../../../lib/dom.js';
import { t } from '../../../lib/i18n.js';
import { refusal, showErrors } from '../../forms.js';
import { go } from '../../router.js';
import { get, send, user } from '../../session.js';
import { loadDepartments, loadFacets, loadItems, loadTask, notFound } from './data.js';
import { OPTIONAL_PARTS, PARTS, controlOf, readForm } from './definition.js';
import { aboutPart, entropyPart, inspectorsPart, itemsPart, poolPart, publicationPart, strataPart } from './form-parts.js';
import { append } from './page.js';

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} params
 * @param {URLSearchParams} query
 */
export async function taskFormPage(main, params, query) {
  const me = /** @type {import('../../session.js').User} */ (user());
  const lead = me.department || '';
  const task = params.id ? await loadTask(params.id) : null;
  if (params.id && !task) return notFound(main, params.id);
  if (task && task.state !== 'draft') {
    append(main, 
      h('h1', {}, tx('tasks.form.edit.h1')),
      h('p', { class: 'notice notice-warn' }, tx('tasks.form.notDraft')),
      h('p', {}, h('a', { href: `#/tasks/${task.id}` }, tx('tasks.form.toTask'))),
    );
    return;
  }
  const prefill = task ? null : await planPrefill(query);
  const [all, facets] = await Promise.all([loadItems(), loadFacets()]);
  // A retired item is offered for no new task; a draft naming it still shows it, to be taken out.
  const chosen = (task && task.definition && task.definition.items) || [];
  const items = all.filter((item) => !item.retired_on || chosen.includes(item.code));
  const departments = await loadDepartments(items);
  const data = { definition: task ? task.definition : prefill && prefill.definition, lead, items, facets, departments };
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'task-form', novalidate: true, onsubmit: submit }));
  /** @type {Record<string, (data: any, form: HTMLFormElement) => any>} */
  const builders = { about: aboutPart, items: itemsPart, pool: poolPart, strata: strataPart, inspectors: inspectorsPart, entropy: entropyPart, publication: publicationPart };
  const statuses = /** @type {Record<string, HTMLElement>} */ ({});
  // Each part's status as a message key, so that it follows a language switch.
  const statusKeys = /** @type {Record<string, string>} */ ({});
  const overview = h('ol', { class: 'part-list', id: 'part-list' });
  for (const [index, part] of PARTS.entries()) {
    const status = h('strong', { class: 'part-status', id: `part-${part}-status` }, () => t(statusKeys[part] || 'tasks.part.todo'));
    statuses[part] = status;
    overview.append(
      h(
        'li',
        { dataset: { part } },
        h('a', { href: `#/tasks/${task ? task.id + '/edit' : 'new'}?part=${part}`, onclick: (/** @type {Event} */ e) => toPart(e, part), 'aria-describedby': status.id }, `${index + 1}. `, tx(`tasks.part.${part}`)),
        status,
      ),
    );
    form.append(
      h(
        'section',
        { class: 'form-part', id: `part-${part}`, 'aria-labelledby': `part-${part}-h2` },
        h('h2', { id: `part-${part}-h2`, tabindex: '-1' }, `${index + 1}. `, tx(`tasks.part.${part}`)),
        builders[part](data, form),
      ),
    );
  }
  form.append(
    h(
      'div',
      { class: 'form-buttons' },
      h('button', { type: 'submit', id: 'save-task' }, tx(task ? 'tasks.form.save' : 'tasks.form.create')),
      task ? h('a', { href: `#/tasks/${task.id}` }, tx('tasks.form.cancel')) : h('a', { href: '#/tasks' }, tx('tasks.form.cancel')),
    ),
  );
  const refresh = () => {
    const { done } = readForm(form, lead);
    for (const part of PARTS) {
      const optional = OPTIONAL_PARTS.includes(part);
      statuses[part].dataset.done = String(done[part]);
      statusKeys[part] = done[part] ? (optional ? 'tasks.part.optional' : 'tasks.part.done') : 'tasks.part.todo';
      /** @type {HTMLElement} */ (statuses[part].firstElementChild).textContent = t(statusKeys[part]);
    }
  };
  form.addEventListener('input', refresh);
  form.addEventListener('change', refresh);
  append(main, 
    h('h1', {}, tx(task ? 'tasks.form.edit.h1' : 'tasks.form.new.h1')),
    task ? h('p', { class: 'lead' }, task.name) : null,
    prefill ? h('p', { class: 'notice notice-info', id: 'plan-prefill' }, tx('tasks.form.prefill', { plan: prefill.plan, batch: prefill.batch })) : null,
    h('p', {}, tx('tasks.form.intro')),
    h('nav', { class: 'part-overview', 'aria-labelledby': 'part-list-h2' }, h('h2', { id: 'part-list-h2' }, tx('tasks.form.parts')), overview),
    form,
  );
  refresh();
  const wanted = query.get('part');
  if (wanted && PARTS.includes(/** @type {any} */ (wanted))) {
    // After the router has focused the page heading: a "change" link lands on its part.
    setTimeout(() => focusPart(wanted), 0);
  }

  /** @param {Event} event @param {string} part */
  function toPart(event, part) {
    event.preventDefault();
    focusPart(part);
  }

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    const { definition, errors } = readForm(form, lead);
    showErrors(form, errors);
    if (errors.length) return;
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('#save-task'));
    button.disabled = true;
    try {
      /** @type {import('./data.js').TaskView} */
      const saved = task ? await send('PUT', `/api/tasks/${task.id}`, definition) : await send('POST', '/api/tasks', definition);
      go(`#/tasks/${saved.id}?done=${task ? 'saved' : 'created'}`);
    } catch (error) {
      const id = error.status === 0 ? null : controlOf(form, error.field);
      const message = refusal(error, error.field ? { within: 'tasks.form.refused', vars: { field: error.field } } : {});
      showErrors(form, [[id, message]]);
    } finally {
      button.disabled = false;
    }
  }
}

/**
 * A new task's definition filled in from a batch of an approved plan
 * (#/tasks/new?plan=CODE&batch=N): the fragment the server derives from
 * the plan — its items, the quota of each risk class, the plan and batch.
 * @param {URLSearchParams} query
 * @returns {Promise<{plan: string, batch: number, definition: any} | null>}
 */
async function planPrefill(query) {
  const plan = query.get('plan') || '';
  const batch = query.get('batch') || '';
  if (!plan || !/^[1-9][0-9]{0,3}$/.test(batch)) return null;
  /** @type {import('../plans.js').Derivation} */
  const derivation = await get(`/api/plans/${encodeURIComponent(plan)}/derivation?batch=${batch}`);
  return { plan, batch: Number(batch), definition: derivation.task };
}

/** Moves to a part of the form: its heading, then its first control. */
function focusPart(/** @type {string} */ part) {
  const section = document.getElementById(`part-${part}`);
  if (!section) return;
  section.scrollIntoView({ block: 'start' });
  const control = /** @type {HTMLElement | null} */ (section.querySelector('input, select, textarea'));
  (control || /** @type {HTMLElement} */ (section.querySelector('h2'))).focus();
}
