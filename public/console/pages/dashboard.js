// @ts-check
// The dashboard (#/): what is waiting for the signed-in user. Supervisors
// see their department's tasks by state (each count a link to that part of
// the task list), the committed tasks whose entropy event has come (the
// next step is theirs: the draw), and the results to review and overdue;
// an admin sees the same over every department. Supervisors and inspectors
// see the reminders: per inspector, the open lines due within five working
// days and overdue (a supervisor's each a link to the ledger of that
// inspector), and the items of this year's plans falling behind. An
// inspector sees their assignments.

import { h, tx } from '../../lib/dom.js';
import { t } from '../../lib/i18n.js';
import { get, user } from '../session.js';
import { dataTable, localTime } from './data-table.js';
import { append } from './tasks/page.js';

/**
 * @typedef {{tasks_by_state: Record<string, number>,
 *   awaiting_entropy: Array<{id: number, name: string, event: string}>,
 *   results_to_review: number, overdue: number,
 *   reminders?: Array<{inspector: string, name: string, due_soon: number, overdue: number}>,
 *   warnings?: Array<{kind: string, plan: string, plan_name: string, item: string, annual_target: number,
 *     drawn: number, pool: number, batches_left: number, draws_per_year?: number, batches_drawn?: number}>}} Dashboard
 * @typedef {{task: number, task_name: string, task_state: string, target: string,
 *   target_name: string | null, region: string | null,
 *   items: Array<{item: string, item_name: string | null, to_do: string}>}} Assignment
 */

/** The states a task goes through, in the order of its life. */
const STATES = ['draft', 'committed', 'drawn', 'revealed', 'abandoned'];

/** @param {HTMLElement} main */
export async function dashboardPage(main) {
  const me = /** @type {import('../session.js').User} */ (user());
  main.append(h('h1', {}, tx('console.nav.dashboard')));
  if (me.role === 'inspector') {
    /** @type {[Dashboard, void]} */
    const [board] = await Promise.all([get('/api/dashboard'), inspectorPart(main)]);
    main.append(remindersPart(board, false));
    return;
  }
  /** @type {Dashboard} */
  const board = await get('/api/dashboard');
  append(main,
    h(
      'p',
      { class: 'lead' },
      me.role === 'admin' ? tx('dashboard.scope.all') : tx('dashboard.scope.department', { department: me.department }),
    ),
    statesPart(board),
    awaitingPart(board),
    resultsPart(board),
    me.role === 'supervisor' ? planWarningsPart(board) : null,
    me.role === 'supervisor' ? remindersPart(board, true) : null,
  );
}

/**
 * The items of the department's plans of this year that the batches left
 * can no longer bring to their annual target or their frequency, each a
 * link to its plan;
 * nothing when every plan is on course.
 * @param {Dashboard} board
 */
function planWarningsPart(board) {
  const warnings = (board.warnings || []).filter((w) => w.kind === 'plan_behind' || w.kind === 'frequency_behind');
  if (!warnings.length) return null;
  return h(
    'section',
    { 'aria-labelledby': 'dashboard-plans', id: 'plan-warnings' },
    h('h2', { id: 'dashboard-plans' }, tx('dashboard.plans.h2')),
    h(
      'ul',
      { class: 'notice notice-warn plain' },
      warnings.map((w) =>
        h(
          'li',
          {},
          h('a', { href: `#/plans/${encodeURIComponent(w.plan)}`, lang: 'zh-CN' }, w.plan_name),
          ' — ',
          w.kind === 'frequency_behind'
            ? tx('dashboard.plans.frequency', { item: w.item, drawn: w.batches_drawn ?? 0, n: w.draws_per_year ?? 0, batches: w.batches_left })
            : tx(w.batches_left ? 'dashboard.plans.behind' : 'dashboard.plans.behind.last', { item: w.item, drawn: w.drawn, target: w.annual_target, pool: w.pool, batches: w.batches_left }),
        ),
      ),
    ),
  );
}

/**
 * Per inspector, the open lines due within five working days and overdue;
 * with `links`, each inspector a way into the ledger of their lines.
 * @param {Dashboard} board
 * @param {boolean} links
 */
function remindersPart(board, links) {
  const reminders = board.reminders || [];
  return h(
    'section',
    { 'aria-labelledby': 'dashboard-reminders' },
    h('h2', { id: 'dashboard-reminders' }, tx('dashboard.reminders.h2')),
    h('p', { class: 'hint' }, tx(links ? 'dashboard.reminders.hint' : 'dashboard.reminders.hint.own')),
    dataTable({
      caption: 'dashboard.reminders.caption',
      empty: 'dashboard.reminders.none',
      id: 'reminders',
      rows: reminders,
      columns: [
        {
          label: 'dashboard.reminders.inspector',
          header: true,
          cell: (r) =>
            links ? h('a', { href: `#/ledger?inspector=${encodeURIComponent(r.inspector)}` }, `${r.name} (${r.inspector})`) : `${r.name} (${r.inspector})`,
        },
        { label: 'dashboard.reminders.due_soon', num: true, cell: (r) => String(r.due_soon) },
        {
          label: 'dashboard.reminders.overdue',
          num: true,
          cell: (r) => (r.overdue ? h('span', { class: 'overdue' }, tx('dashboard.reminders.overdue.count', { count: r.overdue })) : '0'),
        },
      ],
    }),
  );
}

/** The tasks by state, each count a link to the list of those tasks. */
function statesPart(/** @type {Dashboard} */ board) {
  const counts = board.tasks_by_state || {};
  const states = [...STATES, ...Object.keys(counts).filter((state) => !STATES.includes(state))];
  return h(
    'section',
    { 'aria-labelledby': 'dashboard-states' },
    h('h2', { id: 'dashboard-states' }, tx('dashboard.states.h2')),
    h(
      'ul',
      { class: 'count-tiles', id: 'tasks-by-state' },
      states.map((state) =>
        h(
          'li',
          { dataset: { state } },
          h(
            'a',
            { href: `#/tasks?state=${encodeURIComponent(state)}` },
            h('span', { class: 'count' }, String(counts[state] || 0)),
            ' ',
            h('span', { class: 'count-label' }, () => t(`dashboard.state.${state}`)),
          ),
        ),
      ),
    ),
    h('p', {}, h('a', { href: '#/tasks' }, tx('dashboard.states.all'))),
  );
}

/** Committed tasks whose entropy event has come: the draw is the next step. */
function awaitingPart(/** @type {Dashboard} */ board) {
  const waiting = board.awaiting_entropy || [];
  return h(
    'section',
    { 'aria-labelledby': 'dashboard-waiting' },
    h('h2', { id: 'dashboard-waiting' }, tx('dashboard.waiting.h2')),
    h('p', { class: 'hint' }, tx('dashboard.waiting.hint')),
    waiting.length
      ? h(
          'ul',
          { id: 'awaiting-entropy' },
          waiting.map((task) =>
            h(
              'li',
              {},
              h('a', { href: `#/tasks/${task.id}` }, tx('dashboard.waiting.task', { id: task.id, name: task.name })),
              ' — ',
              h('span', { class: 'muted' }, tx('dashboard.waiting.event', { event: localTime(task.event) })),
            ),
          ),
        )
      : h('p', { class: 'muted', id: 'awaiting-entropy' }, tx('dashboard.waiting.none')),
  );
}

/** Results waiting for a review, and results past their publication deadline. */
function resultsPart(/** @type {Dashboard} */ board) {
  const overdue = board.overdue || 0;
  return h(
    'section',
    { 'aria-labelledby': 'dashboard-results' },
    h('h2', { id: 'dashboard-results' }, tx('dashboard.results.h2')),
    h(
      'dl',
      { class: 'facts result-counts', id: 'results-counts' },
      h(
        'div',
        {},
        h('dt', {}, tx('dashboard.results.review')),
        h('dd', { id: 'results-to-review', class: 'big-number' }, String(board.results_to_review || 0)),
      ),
      h(
        'div',
        {},
        h('dt', {}, tx('dashboard.results.overdue')),
        h('dd', { id: 'results-overdue', class: 'big-number' }, String(overdue)),
      ),
    ),
    overdue
      ? h('p', { class: 'notice notice-warn' }, tx('dashboard.results.overdue.warn', { count: overdue }))
      : null,
  );
}

/** An inspector's assignments, in short: their full pages are elsewhere. */
async function inspectorPart(/** @type {HTMLElement} */ main) {
  /** @type {Assignment[]} */
  const assignments = await get('/api/me/assignments');
  main.append(
    h('h2', {}, tx('dashboard.assignments.h2')),
    h('p', {}, h('a', { href: '#/assignments', class: 'button-link', id: 'open-assignments' }, tx('inspector.dashboard.link'))),
    dataTable({
      caption: 'dashboard.assignments.caption',
      empty: 'dashboard.assignments.none',
      id: 'assignments',
      rows: assignments,
      columns: [
        { label: 'dashboard.assignments.task', header: true, cell: (a) => `${a.task} · ${a.task_name}` },
        { label: 'dashboard.assignments.target', cell: (a) => a.target_name || a.target },
        { label: 'dashboard.assignments.region', cell: (a) => a.region || '' },
        {
          label: 'dashboard.assignments.todo',
          cell: (a) => {
            const open = a.items.filter((item) => item.to_do !== 'none').length;
            return open ? tx('dashboard.assignments.open', { count: open }) : tx('dashboard.assignments.done');
          },
        },
      ],
    }),
  );
}
