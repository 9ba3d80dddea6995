// @ts-check
// The trial run of a draft: how large the pool is per stratum, how many
// targets the quotas would draw, and whether every target would find
// enough eligible inspectors. It is not the draw: the server uses a
// throwaway seed and records nothing.

import { h, tx } from '../../../lib/dom.js';
import { refusal } from '../../forms.js';
import { send } from '../../session.js';

/**
 * @typedef {{not_the_draw: boolean, pool_size: number, drawn: number,
 *   strata: Array<{key: string, pool: number, quota: number}>,
 *   inspectors: {per_target: number, targets: number, targets_short: number, enough: boolean,
 *     worst: Array<{stratum: string, department: string, fewest_candidates: number, needed: number}>}}} DryRun
 */

/**
 * The trial-run section of a draft's page.
 * @param {import('./data.js').TaskView} task
 * @param {(field: string | null) => any} [changeLink] a link to the form part a refusal names
 */
export function dryRunSection(task, changeLink) {
  const result = h('div', { id: 'dry-run-result', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', id: 'dry-run', onclick: run }, tx('tasks.dry.button'));
  return h(
    'section',
    { class: 'dry-run', 'aria-labelledby': 'dry-run-h2' },
    h('h2', { id: 'dry-run-h2' }, tx('tasks.dry.h2')),
    h('p', {}, tx('tasks.dry.intro')),
    button,
    result,
  );

  async function run() {
    button.disabled = true;
    result.replaceChildren(h('p', { class: 'muted' }, tx('tasks.dry.running')));
    try {
      /** @type {DryRun} */
      const answer = await send('POST', `/api/tasks/${task.id}/dry-run`);
      result.replaceChildren(report(answer));
    } catch (error) {
      result.replaceChildren(
        h(
          'div',
          { class: 'notice notice-error', role: 'alert' },
          h('p', {}, refusal(error, { within: 'tasks.dry.refused' })),
          changeLink ? changeLink(error.field) : null,
        ),
      );
    } finally {
      button.disabled = false;
    }
  }
}

/** @param {DryRun} answer */
function report(answer) {
  const inspectors = answer.inspectors;
  return h(
    'div',
    { class: 'dry-run-report', id: 'dry-run-report' },
    h('p', { class: 'notice notice-warn not-the-draw' }, h('strong', {}, tx('tasks.dry.notTheDraw')), ' ', tx('tasks.dry.notTheDraw.text')),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, tx('tasks.dry.pool')), h('dd', { id: 'dry-run-pool' }, String(answer.pool_size))),
      h('div', {}, h('dt', {}, tx('tasks.dry.drawn')), h('dd', { id: 'dry-run-drawn' }, String(answer.drawn))),
      h('div', {}, h('dt', {}, tx('tasks.dry.strata')), h('dd', {}, String(answer.strata.length))),
    ),
    h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'dry-run-caption' },
      h(
        'table',
        { id: 'dry-run-strata' },
        h('caption', { id: 'dry-run-caption' }, tx('tasks.dry.caption')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, tx('tasks.dry.stratum')), h('th', { scope: 'col', class: 'num' }, tx('tasks.dry.stratumPool')), h('th', { scope: 'col', class: 'num' }, tx('tasks.dry.stratumQuota')))),
        h(
          'tbody',
          {},
          answer.strata.map((stratum) =>
            h('tr', {}, h('th', { scope: 'row' }, stratum.key), h('td', { class: 'num' }, String(stratum.pool)), h('td', { class: 'num' }, String(stratum.quota))),
          ),
        ),
      ),
    ),
    h('h3', {}, tx('tasks.dry.inspectors')),
    inspectors.enough
      ? h('p', { class: 'notice notice-info', id: 'dry-run-inspectors', dataset: { enough: 'true' } }, tx('tasks.dry.enough', { targets: inspectors.targets, per: inspectors.per_target }))
      : h(
          'div',
          { class: 'notice notice-error', id: 'dry-run-inspectors', dataset: { enough: 'false' } },
          h('p', {}, tx('tasks.dry.short', { short: inspectors.targets_short, targets: inspectors.targets, per: inspectors.per_target })),
        ),
    inspectors.worst.length
      ? [
          h('p', {}, tx(inspectors.enough ? 'tasks.dry.worst.ok' : 'tasks.dry.worst')),
          h(
            'ul',
            { id: 'dry-run-worst' },
            inspectors.worst.map((w) =>
              h('li', {}, tx('tasks.dry.worst.line', { stratum: w.stratum, department: w.department, fewest: w.fewest_candidates, needed: w.needed })),
            ),
          ),
        ]
      : null,
  );
}
