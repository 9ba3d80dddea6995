// @ts-check
// The department's tasks, newest first, by state (#/tasks?state=drawn):
// each with its state, its dates and what to do next.

import { h, tx } from '../../../lib/dom.js';
import { get } from '../../session.js';
import { STATES } from './data.js';
import { dateFacts, nextStep, stateBadge } from './describe.js';
import { append } from './page.js';

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} _params
 * @param {URLSearchParams} query
 */
export async function taskListPage(main, _params, query) {
  /** @type {import('./data.js').TaskView[]} */
  const tasks = await get('/api/tasks');
  tasks.sort((a, b) => b.id - a.id);
  const wanted = query.get('state');
  const state = wanted && STATES.includes(/** @type {any} */ (wanted)) ? wanted : null;
  const shown = state ? tasks.filter((task) => task.state === state) : tasks;
  append(main, 
    h('h1', {}, tx('tasks.list.h1')),
    h('p', { class: 'lead' }, tx('tasks.list.intro')),
    h('p', {}, h('a', { href: '#/tasks/new', class: 'button-link', id: 'new-task' }, tx('tasks.list.new'))),
    stateFilter(tasks, state),
    shown.length
      ? h('ul', { class: 'task-list console-task-list', id: 'task-list' }, shown.map(card))
      : h('p', { class: 'notice notice-info', id: 'task-list-empty' }, tx(state ? 'tasks.list.none.state' : 'tasks.list.none')),
  );
}

/**
 * Links to the tasks of each state, with their numbers; the current one marked.
 * @param {import('./data.js').TaskView[]} tasks
 * @param {string | null} state
 */
function stateFilter(tasks, state) {
  /** @param {string | null} value @param {() => string} label @param {number} count */
  const link = (value, label, count) =>
    h(
      'li',
      {},
      h(
        'a',
        { href: value ? `#/tasks?state=${value}` : '#/tasks', 'aria-current': value === state ? 'page' : null },
        label,
        ` (${count})`,
      ),
    );
  return h(
    'nav',
    { class: 'state-filter', 'aria-label': tx('tasks.list.filter') },
    h(
      'ul',
      {},
      link(null, tx('tasks.list.all'), tasks.length),
      STATES.map((value) => link(value, tx(`tasks.state.${value}`), tasks.filter((task) => task.state === value).length)),
    ),
  );
}

/** @param {import('./data.js').TaskView} task */
function card(task) {
  return h(
    'li',
    { class: 'task-card', dataset: { state: task.state, taskId: String(task.id) } },
    h(
      'div',
      { class: 'task-card-head' },
      h('h2', { class: 'task-card-title' }, h('a', { href: `#/tasks/${task.id}` }, task.name)),
      h('span', { class: 'task-no' }, tx('tasks.number', { id: task.id })),
    ),
    h('p', {}, stateBadge(task.state)),
    h('dl', { class: 'facts' }, dateFacts(task)),
    h('p', { class: 'next-step' }, h('strong', {}, tx('tasks.next.label')), ' ', () => nextStep(task)),
  );
}
