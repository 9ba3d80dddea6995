// @ts-check
// The home page: the published tasks, newest first, and the search for an
// entity (was it in a pool, was it drawn, what did its inspections find).

import { api } from '../lib/api.js';
import { departmentLabel } from '../lib/departments.js';
import { $, fill, h, tx } from '../lib/dom.js';
import { countTargets, stateBadge, timeEl } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import { loadOutcomes } from '../lib/outcomes.js';
import { errorBox, setTitle } from '../lib/page.js';

/**
 * @param {import('../lib/types.js').PublicTask} task
 */
function taskCard(task) {
  const def = task.definition || {};
  const steps = [
    ['created', task.created_at],
    ['committed', task.committed_at],
    ['drawn', task.drawn_at],
    ['revealed', task.revealed_at],
    ['abandoned', task.abandoned_at],
  ].filter(([, at]) => at);
  const drawn =
    task.drawn_count === null || task.drawn_count === undefined
      ? task.state === 'abandoned'
        ? '—'
        : tx('notYet')
      : () => countTargets(task.drawn_count);
  return h(
    'li',
    { class: 'task-card', 'data-task-id': String(task.id), 'data-state': task.state },
    h(
      'div',
      { class: 'task-card-head' },
      h('h3', {}, h('a', { href: `task.html?id=${task.id}` }, task.name)),
      h('span', { class: 'task-no' }, tx('home.taskNo', { id: task.id })),
    ),
    h('p', {}, stateBadge(task.state), task.state === 'abandoned' && task.draw_published ? [' ', h('span', { class: 'muted', 'data-draw-published': 'true' }, tx('home.abandonedDrawPublished'))] : null),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, tx('fact.authority')), h('dd', {}, () => departmentLabel(task.department))),
      h('div', {}, h('dt', {}, tx('fact.items')), h('dd', {}, (def.items || []).join(', '))),
      h(
        'div',
        {},
        h('dt', {}, tx('fact.pool')),
        h('dd', {}, task.pool_size == null ? '—' : () => countTargets(task.pool_size)),
      ),
      h('div', {}, h('dt', {}, tx('fact.drawn')), h('dd', {}, drawn)),
    ),
    h(
      'ol',
      { class: 'steps', 'aria-label': tx('fact.steps') },
      steps.map(([step, at]) =>
        h('li', { 'data-step': step }, h('span', { class: 'step-name' }, tx(`step.${step}`)), ' ', timeEl(at, true)),
      ),
    ),
  );
}

function entityOutcome(pool) {
  // `selected` is null until the reveal; older servers send only drawn_position.
  const revealed = pool.state === 'revealed' || pool.state === 'results_published' || pool.state === 'results-published';
  const position = pool.drawn_position ?? null;
  if (pool.selected === true || (revealed && pool.selected !== false && position !== null)) {
    return h(
      'span',
      { class: 'outcome outcome-drawn', 'data-selected': 'true' },
      '✓ ',
      position !== null ? tx('outcome.drawn', { n: position }) : tx('outcome.selected'),
    );
  }
  if (pool.selected === false || revealed) {
    return h('span', { class: 'outcome outcome-not', 'data-selected': 'false' }, tx('outcome.notDrawn'));
  }
  switch (pool.state) {
    case 'drawn':
      return h('span', { class: 'outcome outcome-sealed', 'data-selected': 'sealed' }, tx('outcome.sealed'));
    case 'committed':
      return h('span', { class: 'outcome' }, tx('outcome.committed'));
    case 'abandoned':
      return h('span', { class: 'outcome' }, tx('outcome.abandoned'));
    default:
      return h('span', { class: 'outcome' }, tx('outcome.unknown'));
  }
}

/**
 * @param {import('../lib/types.js').EntityView} view
 * @param {typeof import('../lib/records.js')} records
 */
function renderEntityResults(view, records) {
  const results = view.results || [];
  const out = [h('h3', { id: 'entity-results-title' }, tx('search.results.h3'))];
  if (!results.length) {
    out.push(h('p', { id: 'entity-results', 'data-count': '0' }, tx('search.results.none')));
    return out;
  }
  out.push(
    h('p', {}, tx('search.results.count', { n: results.length })),
    records.resultsTable(results, { id: 'entity-results', entity: false, labelledBy: 'entity-results-title' }),
    h('p', {}, h('a', { href: `results.html?target=${encodeURIComponent(view.id)}` }, tx('search.results.all'))),
  );
  return out;
}

/**
 * @param {import('../lib/types.js').EntityView} view
 * @param {typeof import('../lib/records.js')} records
 */
function renderEntity(view, records) {
  /** @type {import('../lib/dom.js').Child[]} */
  const out = [h('p', { class: 'entity-name' }, h('strong', {}, view.name || view.id), ' ', h('code', {}, view.id))];
  if (!view.pools.length) {
    out.push(h('p', {}, tx('search.noPools')));
    out.push(renderEntityResults(view, records));
    return out;
  }
  out.push(h('p', {}, tx('search.pools', { n: view.pools.length })));
  out.push(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'stack' },
        h('caption', { class: 'visually-hidden' }, tx('search.caption', { id: view.id })),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, tx('search.col.task')),
            h('th', { scope: 'col' }, tx('search.col.state')),
            h('th', { scope: 'col' }, tx('search.col.outcome')),
          ),
        ),
        h(
          'tbody',
          {},
          view.pools.map((pool) =>
            h(
              'tr',
              { 'data-task-id': String(pool.task), 'data-state': pool.state },
              h(
                'th',
                { scope: 'row', 'data-label': tx('search.col.task') },
                h('a', { href: `task.html?id=${pool.task}` }, pool.task_name),
              ),
              h('td', { 'data-label': tx('search.col.state') }, stateBadge(pool.state)),
              h(
                'td',
                { 'data-label': tx('search.col.outcome') },
                entityOutcome(pool),
                pool.drawn_position != null
                  ? [' · ', h('a', { href: `task.html?id=${pool.task}&q=${encodeURIComponent(view.id)}#selection-section` }, tx('outcome.seeSelection'))]
                  : null,
              ),
            ),
          ),
        ),
      ),
    ),
  );
  out.push(renderEntityResults(view, records));
  return out;
}

/**
 * The entities a search found, each a link to its page.
 * @param {import('../lib/types.js').EntityMatch[]} matches
 * @param {typeof import('../lib/records.js')} records
 */
function renderMatches(matches, records) {
  return [
    h('p', { id: 'entity-matches-title' }, tx('search.matches', { n: matches.length })),
    h(
      'ul',
      { id: 'entity-matches', class: 'entity-matches', 'aria-labelledby': 'entity-matches-title' },
      matches.map((match) =>
        h(
          'li',
          { 'data-entity-id': match.id },
          h('a', { href: records.entityHref(match.id) }, match.name || match.id),
          ' ',
          h('code', {}, match.id),
        ),
      ),
    ),
  ];
}

/**
 * @param {string} raw the id as typed
 * @returns {Promise<import('../lib/types.js').EntityView>}
 */
async function lookUpEntity(raw) {
  try {
    return await api(`/api/public/entities/${encodeURIComponent(raw)}`);
  } catch (error) {
    // Credit codes are upper case; forgive a code typed in lower case.
    if (error.status === 404 && raw.toUpperCase() !== raw) {
      return api(`/api/public/entities/${encodeURIComponent(raw.toUpperCase())}`);
    }
    throw error;
  }
}

function setupEntitySearch() {
  const form = $('#entity-search');
  const input = $('#entity-id');
  const result = $('#entity-result');
  if (!form) return;
  let request = 0;
  /**
   * No entity has this id: the entities whose code starts with it or
   * whose name holds it, or a notice that none does.
   * @param {string} text
   * @param {number} mine
   */
  const showMatches = async (text, mine) => {
    try {
      const [matches, records] = await Promise.all([
        /** @type {Promise<import('../lib/types.js').EntityMatch[]>} */ (
          api(`/api/public/entities?q=${encodeURIComponent(text)}&limit=20`)
        ),
        import('../lib/records.js'),
      ]);
      if (mine !== request) return;
      if (!matches.length) {
        result.replaceChildren(h('p', { class: 'notice notice-warn', role: 'alert' }, tx('search.notFound', { id: text })));
        return;
      }
      result.dataset.found = 'matches';
      fill(result, renderMatches(matches, records));
    } catch (error) {
      if (mine === request) result.replaceChildren(errorBox(error));
    }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const id = input.value.trim();
    const mine = ++request;
    if (!id) {
      result.replaceChildren(h('p', { class: 'notice notice-error', role: 'alert' }, tx('search.empty')));
      input.focus();
      return;
    }
    // The searched id goes into the address, so a link can show an entity.
    history.replaceState(null, '', `${location.pathname}?entity=${encodeURIComponent(id)}`);
    result.setAttribute('aria-busy', 'true');
    result.replaceChildren(h('p', {}, tx('search.busy')));
    try {
      const [view, records] = await Promise.all([lookUpEntity(id), import('../lib/records.js'), loadOutcomes()]);
      if (mine !== request) return;
      result.dataset.found = 'true';
      fill(result, renderEntity(view, records));
    } catch (error) {
      if (mine !== request) return;
      result.dataset.found = 'false';
      if (error.status === 404) {
        await showMatches(id, mine);
      } else {
        result.replaceChildren(errorBox(error));
      }
    } finally {
      if (mine === request) result.removeAttribute('aria-busy');
    }
  });
  const initial = new URLSearchParams(location.search).get('entity');
  if (initial && initial.trim()) {
    input.value = initial.trim();
    form.requestSubmit();
  }
}

export async function pageHome() {
  setTitle(() => t('title.home'));
  setupEntitySearch();
  const list = $('#tasks');
  list.setAttribute('aria-busy', 'true');
  try {
    const tasks = await api('/api/public/tasks');
    tasks.sort((a, b) => (b.created_at || '').localeCompare(a.created_at || '') || b.id - a.id);
    list.replaceChildren(...tasks.map(taskCard));
    if (!tasks.length) list.replaceChildren(h('li', { class: 'empty' }, tx('home.none')));
  } catch (error) {
    list.replaceChildren(h('li', { class: 'empty' }, errorBox(error)));
  } finally {
    list.removeAttribute('aria-busy');
  }
}
