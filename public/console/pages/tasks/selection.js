// @ts-check
// The drawn selection with the inspector teams (GET /api/tasks/ID/selection),
// marked sealed and not public until the reveal; and replacing an assigned
// inspector, with a reason, by one drawn from the target's remaining
// candidates (POST /api/tasks/ID/replacements).

import { fill, h, tx } from '../../../lib/dom.js';
import { refusal, showErrors } from '../../forms.js';
import { get, send, user } from '../../session.js';
import { confirmationPanel } from './confirmations.js';
import { when } from './describe.js';

/**
 * @typedef {import('./data.js').TaskView} TaskView
 * @typedef {import('./data.js').Selection} Selection
 */

/**
 * The selection section of a drawn or revealed task.
 * @param {TaskView} task
 */
export async function selectionSection(task) {
  const sealed = task.state === 'drawn';
  const holder = h('div', { id: 'selection-holder' });
  const section = h(
    'section',
    { class: sealed ? 'selection selection-sealed' : 'selection', id: 'selection-section', 'aria-labelledby': 'selection-h2', dataset: { sealed: String(sealed) } },
    h('h2', { id: 'selection-h2' }, tx(sealed ? 'tasks.selection.h2.sealed' : 'tasks.selection.h2')),
    sealed
      ? h('div', { class: 'notice notice-sealed', id: 'sealed-notice' }, h('p', {}, h('strong', {}, tx('tasks.selection.sealed.title'))), h('p', {}, tx('tasks.selection.sealed.text')))
      : h('p', { class: 'notice notice-info' }, tx('tasks.selection.public')),
    holder,
  );
  /** @type {Selection} */
  const selection = await get(`/api/tasks/${task.id}/selection`);
  holder.replaceChildren(table(selection, sealed));
  const made = h('div', { id: 'replacements' });
  const showReplacements = async () => fill(made, replacements(await get(`/api/tasks/${task.id}/replacements`)));
  if (task.state === 'drawn' || task.state === 'revealed') {
    section.append(
      replaceForm(task, selection, async () => {
        const fresh = await get(`/api/tasks/${task.id}/selection`);
        holder.replaceChildren(table(fresh, sealed));
        await showReplacements();
        return fresh;
      }),
    );
  }
  section.append(made);
  await showReplacements();
  return section;
}

/**
 * The replacements made in the task, as the log keeps them.
 * @param {Array<{number: number, target: string, department: string, out: string, in: string,
 *   reason: string, made_by: string, made_at: string}>} list
 */
function replacements(list) {
  if (!list.length) return null;
  return h(
    'section',
    { class: 'replacements-made', 'aria-labelledby': 'replacements-h3' },
    h('h3', { id: 'replacements-h3' }, tx('tasks.replacements.h3')),
    h(
      'ol',
      {},
      list.map((r) =>
        h('li', { dataset: { number: String(r.number) } }, tx('tasks.replacements.line', { target: r.target, out: r.out, in: r.in, reason: r.reason, by: r.made_by, at: when(r.made_at) })),
      ),
    ),
  );
}

/**
 * The drawn targets in draw order with their teams.
 * @param {Selection} selection
 * @param {boolean} sealed
 */
function table(selection, sealed) {
  return h(
    'div',
    {},
    selection.status === 'failed'
      ? h('div', { class: 'notice notice-error', id: 'selection-failed' }, h('p', {}, tx('tasks.selection.failed')), selection.failure ? h('p', {}, selection.failure) : null)
      : h('p', {}, tx('tasks.selection.complete', { n: selection.targets.length })),
    h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'selection-caption' },
      h(
        'table',
        { id: 'selection-table', class: 'selection-table' },
        h('caption', { id: 'selection-caption' }, tx(sealed ? 'tasks.selection.caption.sealed' : 'tasks.selection.caption')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col', class: 'num' }, tx('tasks.selection.rank')),
            h('th', { scope: 'col' }, tx('tasks.selection.target')),
            h('th', { scope: 'col' }, tx('tasks.selection.where')),
            h('th', { scope: 'col' }, tx('tasks.selection.stratum')),
            h('th', { scope: 'col' }, tx('tasks.selection.team')),
          ),
        ),
        h(
          'tbody',
          {},
          selection.targets.map((target) =>
            h(
              'tr',
              { dataset: { target: target.id } },
              h('td', { class: 'num' }, String(target.rank)),
              h('th', { scope: 'row' }, target.name || '—', h('br'), h('code', { class: 'target-id' }, target.id)),
              h('td', {}, [target.region, target.industry, target.risk_class].map((v) => v || '—').join(' · ')),
              h('td', {}, target.stratum),
              h(
                'td',
                {},
                h(
                  'ul',
                  { class: 'plain team' },
                  target.inspectors.map((member) =>
                    h('li', { dataset: { inspector: member.id } }, `${member.name || member.id}（${member.id}）`, h('span', { class: 'dept' }, ` ${member.department}`)),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * Replacing one of the caller's department's inspectors at a target.
 * @param {TaskView} task
 * @param {Selection} selection
 * @param {() => Promise<Selection>} reload
 */
function replaceForm(task, selection, reload) {
  const department = (user() || { department: '' }).department;
  let current = selection;
  const targetSelect = h('select', { id: 'replace-target', name: 'replace-target', 'aria-describedby': 'replace-target-error', onchange: () => fillInspectors() });
  const inspectorSelect = h('select', { id: 'replace-inspector', name: 'replace-inspector', 'aria-describedby': 'replace-inspector-error' });
  const reason = h('textarea', { id: 'replace-reason', name: 'replace-reason', rows: 2, 'aria-describedby': 'replace-reason-hint replace-reason-error' });
  const done = h('div', { id: 'replace-done', 'aria-live': 'polite' });
  const fillTargets = () => {
    const chosen = targetSelect.value;
    targetSelect.replaceChildren(
      h('option', { value: '' }, tx('tasks.replace.target.choose')),
      ...current.targets.map((target) => h('option', { value: target.id }, `${target.rank}. ${target.name || ''}（${target.id}）`)),
    );
    targetSelect.value = chosen;
    fillInspectors();
  };
  const fillInspectors = () => {
    const target = current.targets.find((x) => x.id === targetSelect.value);
    const team = target ? target.inspectors.filter((member) => !department || member.department === department) : [];
    inspectorSelect.replaceChildren(
      h('option', { value: '' }, tx(target ? 'tasks.replace.inspector.choose' : 'tasks.replace.inspector.first')),
      ...team.map((member) => h('option', { value: member.id }, `${member.name || member.id}（${member.id}）`)),
    );
  };
  fillTargets();
  /** @param {string} id @param {any} label @param {HTMLElement} control @param {any} [hint] */
  const row = (id, label, control, hint) =>
    h('div', { class: 'field field-wide' }, h('label', { for: id }, label), hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null, h('p', { class: 'field-error', id: `${id}-error`, hidden: true }), control);
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'replace-form', id: 'replace-form', novalidate: true, onsubmit: submit },
      row('replace-target', tx('tasks.replace.target'), targetSelect),
      row('replace-inspector', tx('tasks.replace.inspector'), inspectorSelect),
      row('replace-reason', tx('tasks.replace.reason'), reason, tx('tasks.replace.reason.hint')),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'replace-button' }, tx('tasks.replace.button'))),
    )
  );
  return h(
    'section',
    { class: 'replace', 'aria-labelledby': 'replace-h3' },
    h('h3', { id: 'replace-h3' }, tx('tasks.replace.h3')),
    h('p', {}, tx('tasks.replace.intro')),
    done,
    form,
  );

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    done.replaceChildren();
    /** @type {Array<[string | null, import('../../forms.js').Message]>} */
    const errors = [];
    if (!targetSelect.value) errors.push(['replace-target', tx('tasks.replace.target.missing')]);
    if (!inspectorSelect.value) errors.push(['replace-inspector', tx('tasks.replace.inspector.missing')]);
    if (!reason.value.trim()) errors.push(['replace-reason', tx('tasks.replace.reason.missing')]);
    showErrors(form, errors);
    if (errors.length) return;
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('#replace-button'));
    button.disabled = true;
    try {
      const made = await send('POST', `/api/tasks/${task.id}/replacements`, {
        target: targetSelect.value,
        inspector: inspectorSelect.value,
        reason: reason.value.trim(),
      });
      reason.value = '';
      current = await reload();
      fillTargets();
      done.replaceChildren(confirmationPanel(task, 'replaced', made));
    } catch (error) {
      const fields = { target: 'replace-target', inspector: 'replace-inspector', reason: 'replace-reason' };
      const id = error.field ? /** @type {Record<string, string>} */ (fields)[error.field] || null : null;
      showErrors(form, [[id, refusal(error, { within: 'tasks.step.refused' })]]);
    } finally {
      button.disabled = false;
    }
  }
}
