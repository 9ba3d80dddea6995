// @ts-check
// The task page (task.html?id=N): one task's state, rules, pool, entropy,
// timeline, files, and once revealed its selection, results and verification.

import { api } from '../lib/api.js';
import { departmentLabel } from '../lib/departments.js';
import { $, fill, h, tx } from '../lib/dom.js';
import { countTargets, stateBadge, stateLabel, zoneLabel } from '../lib/format.js';
import { has, t } from '../lib/i18n.js';
import { loadOutcomes } from '../lib/outcomes.js';
import { folded } from '../lib/fold.js';
import { itemLink } from '../lib/items.js';
import { errorBox, section, setTitle } from '../lib/page.js';
import { planHref } from './plans.js';
import { describeFilter } from '../lib/rules.js';
import { committedPayload, parseFailure, renderEntropy, renderFiles, renderParameters, row, taskFileUrl } from './task-details.js';
import { renderSelection } from './task-selection.js';
import { parsePayload, timelineItems } from './task-timeline.js';
import { setupVerify } from './task-verify.js';

function renderTaskChooser(main) {
  const input = h('input', { id: 'task-number', name: 'id', type: 'number', min: '1', inputmode: 'numeric', required: true });
  const list = h('ul', { class: 'plain task-links' }, h('li', {}, tx('loading')));
  main.replaceChildren(
    h('h1', { id: 'task-name' }, tx('task.none.h1')),
    h('p', {}, tx('task.none.text')),
    h(
      'form',
      { class: 'inline-form', action: 'task.html', method: 'get' },
      h('div', { class: 'field' }, h('label', { for: 'task-number' }, tx('task.none.label')), input),
      h('button', { type: 'submit' }, tx('task.none.button')),
    ),
    list,
  );
  api('/api/public/tasks')
    .then((tasks) => {
      list.replaceChildren(
        ...tasks.map((task) =>
          h('li', { 'data-task-id': String(task.id) }, h('a', { href: `task.html?id=${task.id}` }, task.name), ' — ', stateBadge(task.state)),
        ),
      );
    })
    .catch((error) => list.replaceChildren(h('li', {}, errorBox(error))));
}

/**
 * The approved annual plan a task belongs to, as the server names it
 * (`plan`: none for a plan named only as free text, which has no page),
 * linked to the plan's page with the task's batch.
 * @param {any} task
 */
function planFact(task) {
  /** @type {{department: string, code: string, name: string, batch: number | null} | null | undefined} */
  const plan = task.plan;
  if (!plan) return null;
  return [
    h(
      'div',
      {},
      h('dt', {}, tx('task.plan')),
      h(
        'dd',
        {},
        h('a', { href: planHref(plan.department, plan.code), id: 'task-plan' }, () =>
          plan.batch ? t('task.plan.batch', { plan: plan.name, batch: plan.batch }) : plan.name,
        ),
      ),
    ),
    keptFact(committedPayload(task).plan),
  ];
}

/**
 * Whether the draw kept to its plan, as the commitment's log entry recorded
 * it: per risk class the plan's quota for the batch and what the committed
 * rules draw, and the verdict in words.
 * @param {{quotas?: Record<string, number>, draws?: Record<string, number>, kept?: boolean} | undefined} recorded
 */
function keptFact(recorded) {
  if (!recorded || !recorded.quotas) return null;
  const classes = Object.keys(recorded.quotas).sort();
  const draws = recorded.draws;
  const verdict = recorded.kept === true ? 'task.kept.yes' : recorded.kept === false ? 'task.kept.no' : 'task.kept.unknown';
  return h(
    'div',
    {},
    h('dt', {}, tx('task.kept')),
    h(
      'dd',
      { id: 'task-kept', dataset: { kept: String(recorded.kept ?? '') } },
      h('p', { class: recorded.kept === false ? 'kept kept-no' : 'kept' }, tx(verdict)),
      h(
        'ul',
        { class: 'plain kept-classes' },
        classes.map((c) =>
          h('li', {}, () =>
            draws
              ? t('task.kept.class', { class: t('risk.class', { c }), quota: recorded.quotas?.[c] ?? 0, drawn: draws[c] ?? 0 })
              : t('task.kept.quota', { class: t('risk.class', { c }), quota: recorded.quotas?.[c] ?? 0 }),
          ),
        ),
      ),
    ),
  );
}

export async function pageTask() {
  const main = $('#main');
  const params = new URLSearchParams(location.search);
  const rawId = params.get('id');
  setTitle(() => t('title.task'));
  if (rawId === null || rawId.trim() === '') {
    renderTaskChooser(main);
    return;
  }
  if (!/^[1-9][0-9]{0,17}$/.test(rawId.trim())) {
    main.replaceChildren(h('h1', { id: 'task-name' }, tx('task.h1')), h('p', { class: 'notice notice-error', role: 'alert' }, tx('task.badId', { id: rawId })));
    return;
  }
  const id = rawId.trim();
  let task;
  try {
    [task] = await Promise.all([api(`/api/public/tasks/${id}`), loadOutcomes()]);
  } catch (error) {
    main.replaceChildren(
      h('h1', { id: 'task-name' }, tx('task.h1')),
      error.status === 404 ? h('p', { class: 'notice notice-warn', role: 'alert' }, tx('task.notFound', { id })) : errorBox(error),
    );
    return;
  }
  setTitle(() => t('title.taskN', { name: task.name }));

  const def = task.definition || {};
  const state = task.state;
  // An abandoned draw is published like a revealed one.
  const revealed = state === 'revealed' || state === 'results_published' || state === 'results-published' || task.draw_published === true;
  const content = [];
  content.push(
    h(
      'header',
      { class: 'task-header' },
      h('p', { class: 'task-no' }, tx('home.taskNo', { id: task.id })),
      h('h1', { id: 'task-name' }, task.name),
      h('p', {}, stateBadge(state, 'task-state')),
      h(
        'dl',
        { class: 'facts' },
        h('div', {}, h('dt', {}, tx('fact.authority')), h('dd', {}, () => departmentLabel(task.department))),
        h('div', {}, h('dt', {}, tx('fact.items')), h('dd', {}, (def.items || []).map((item, i) => [i ? ', ' : '', itemLink(item)]))),
        h('div', {}, h('dt', {}, tx('fact.pool')), h('dd', {}, task.pool_size == null ? '—' : () => countTargets(task.pool_size))),
        h('div', {}, h('dt', {}, tx('fact.drawn')), h('dd', {}, task.drawn_count == null ? (state === 'abandoned' ? '—' : tx('notYet')) : () => countTargets(task.drawn_count))),
        planFact(task),
        task.results_published != null
          ? h('div', {}, h('dt', {}, tx('fact.results')), h('dd', { id: 'results-published' }, h('a', { href: '#results-section' }, String(task.results_published))))
          : null,
      ),
    ),
  );

  if (state === 'drawn') {
    content.push(
      h(
        'div',
        { id: 'sealed-notice', class: 'notice notice-sealed', role: 'note' },
        h('p', { class: 'notice-title' }, h('strong', {}, tx('task.sealed.title'))),
        h('p', {}, tx('task.sealed')),
        h('p', {}, def.embargo_until ? tx('task.sealed.embargo', { date: def.embargo_until }) : tx('task.sealed.noEmbargo')),
      ),
    );
  } else if (state === 'committed') {
    content.push(h('div', { class: 'notice notice-info', role: 'note' }, h('p', {}, tx('task.committed.notice', { source: (def.entropy || {}).source || '' }))));
  } else if (state === 'abandoned') {
    const abandoned = (task.timeline || []).find((e) => e.kind === 'task.abandoned');
    const from = abandoned ? parsePayload(abandoned).from : null;
    content.push(
      h(
        'div',
        { class: 'notice notice-warn', role: 'note' },
        h('p', {}, () => t('task.abandoned.notice', { from: from ? stateLabel(from, true) : '?', reason: task.abandon_reason || t('task.abandoned.noReason') })),
        from === 'drawn' ? h('p', {}, tx('task.abandoned.sealed')) : null,
        from === 'committed' && task.secret ? h('p', { id: 'abandoned-secret' }, () => t('task.abandoned.secret', { secret: task.secret })) : null,
      ),
    );
  }

  // The verification first after the facts: on a phone it is what a
  // visitor came for, and everything below it is long.
  /** @type {any} */
  let verifySection = null;
  if (revealed) {
    verifySection = section('verify-section', 'task.verify.h2');
    content.push(verifySection);
  }

  content.push(section('parameters-section', 'task.params.h2', h('div', { id: 'parameters' }, renderParameters(task))));
  content.push(
    section(
      'pool-section',
      'task.pool.h2',
      h(
        'dl',
        { class: 'facts facts-wide', id: 'pool' },
        row('p.filter', () => describeFilter(def)),
        row('p.poolSize', task.pool_size == null ? '—' : () => countTargets(task.pool_size)),
      ),
    ),
  );
  content.push(section('entropy-section', 'task.entropy.h2', renderEntropy(task)));
  const timeline = task.timeline || [];
  content.push(
    section(
      'timeline-section',
      'task.timeline.h2',
      h('p', { class: 'muted' }, () => t('time.note', { zone: zoneLabel() })),
      timeline.length
        ? folded(
            'timeline-fold',
            () => t('task.timeline.summary', { n: timeline.length }),
            h('ol', { id: 'timeline', class: 'timeline' }, timelineItems(timeline, task)),
          )
        : h('ol', { id: 'timeline', class: 'timeline' }, h('li', {}, tx('task.timeline.empty'))),
    ),
  );
  content.push(section('files-section', 'task.files.h2', h('div', { id: 'files' }, renderFiles(task))));

  /** @type {any} */
  let selectionSection = null;
  /** @type {HTMLElement | null} */
  let replacementsSection = null;
  /** @type {HTMLElement | null} */
  let resultsSection = null;
  if (revealed) {
    selectionSection = section('selection-section', 'task.selection.h2', h('p', {}, tx('loading')));
    replacementsSection = section('replacements-section', 'task.replacements.h2', h('p', {}, tx('loading')));
    content.push(selectionSection, replacementsSection);
  }
  // Results are published only after the reveal; the section shows whatever the server has.
  if (revealed || (task.results_published ?? 0) > 0) {
    resultsSection = section('results-section', 'task.results.h2', h('p', {}, tx('loading')));
    content.push(resultsSection);
  }
  fill(main, content);
  main.removeAttribute('aria-busy');

  const selectionRequest = revealed ? api(`/api/public/tasks/${task.id}/selection`) : null;
  if (resultsSection || replacementsSection) {
    import('../lib/records.js').then(
      (records) => {
        if (resultsSection) records.fillTaskResults(task, resultsSection);
        if (replacementsSection) records.fillReplacements(task, replacementsSection, selectionRequest);
      },
      (error) => {
        for (const s of [resultsSection, replacementsSection]) if (s) fill(s, s.firstChild, errorBox(error));
      },
    );
  }

  if (revealed) {
    setupVerify(task, verifySection);
    try {
      const selection = await selectionRequest;
      const body = [];
      if (task.result_status === 'failed') {
        body.push(h('div', { class: 'notice notice-warn', role: 'note' }, h('p', {}, tx('task.selection.status.failed'))));
        try {
          const failure = parseFailure(await api(taskFileUrl(task.id, 'result.tsv'), 'text'));
          if (failure) {
            body.push(
              h('p', {}, () =>
                t('task.selection.failure', {
                  ...failure,
                  department: departmentLabel(failure.department),
                  rule: has(`rule.${failure.rule}`) ? t(`rule.${failure.rule}`) : failure.rule,
                }),
              ),
            );
          }
        } catch (_) {
          /* the failure line is optional detail */
        }
      } else {
        body.push(h('p', {}, () => t('task.selection.status.complete', { n: countTargets(selection.length) })));
      }
      fill(selectionSection, selectionSection.firstChild, body);
      renderSelection(task, selection, selectionSection, params.get('q') || '');
      if (location.hash === '#selection-section') selectionSection.scrollIntoView();
    } catch (error) {
      selectionSection.replaceChildren(selectionSection.firstChild, errorBox(error));
    }
  }
}
