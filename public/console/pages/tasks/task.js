// @ts-check
// A task's page (#/tasks/ID), by its state: a draft's trial run, its
// answers to check and its commitment; a committed task's draw; a drawn
// task's sealed selection, replacements and reveal; the end of a revealed
// or abandoned task. Every step says what it publishes and ends on a
// confirmation (?done=…) saying what happened and what comes next.

import { h, tx } from '../../../lib/dom.js';
import { t } from '../../../lib/i18n.js';
import { planPage } from '../plans.js';
import { DONE, abandonedFrom, confirmationPanel } from './confirmations.js';
import { loadDepartments, loadItems, loadTask, notFound, publicPage } from './data.js';
import { partOf } from './definition.js';
import { dateFacts, digest, nextStep, stateBadge } from './describe.js';
import { drandDrawSteps, drandFacts, isDrand, loadDrandRound } from './drand.js';
import { dryRunSection } from './dry-run.js';
import { selectionSection } from './selection.js';
import { append } from './page.js';
import { abandonStep, commitStep, drawStep, revealStep } from './steps.js';
import { summary } from './summary.js';

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} params
 * @param {URLSearchParams} query
 */
export async function taskPage(main, params, query) {
  const task = await loadTask(params.id);
  if (!task) return notFound(main, params.id);
  const [items, departments] = await Promise.all([loadItems(), loadDepartments()]);
  const done = query.get('done');
  document.title = `${task.name} — ${t('console.title')}`;
  append(main, 
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/tasks' }, tx('tasks.back'))),
    h('h1', { id: 'task-name' }, task.name),
    h('p', { class: 'task-meta' }, h('span', { class: 'task-no' }, tx('tasks.number', { id: task.id })), ' ', stateBadge(task.state)),
    planLine(task),
    done && DONE.includes(done) ? confirmationPanel(task, done) : null,
    h('p', { class: 'next-step' }, h('strong', {}, tx('tasks.next.label')), ' ', () => nextStep(task)),
  );
  /** A link to the form's part a refusal names, or to the form. @param {string | null} field */
  const changeLink = (field) => {
    const part = partOf(field);
    return h('p', {}, h('a', { href: `#/tasks/${task.id}/edit${part ? `?part=${part}` : ''}`, class: 'change-link' }, tx(part ? 'tasks.change.part' : 'tasks.change.form', { part: part ? t(`tasks.part.${part}`) : '' })));
  };
  const rules = (/** @type {boolean} */ change) => summary(task, items, departments, change);

  if (task.state === 'draft') {
    append(main, 
      h('p', { class: 'notice notice-info' }, tx('tasks.draft.notice')),
      h('p', {}, h('a', { href: `#/tasks/${task.id}/edit`, id: 'edit-task' }, tx('tasks.draft.edit'))),
      dryRunSection(task, changeLink),
      h('section', { class: 'check-answers', id: 'check-answers', 'aria-labelledby': 'check-h2' }, h('h2', { id: 'check-h2' }, tx('tasks.check.h2')), h('p', {}, tx('tasks.check.intro')), rules(true)),
      commitStep(task, changeLink),
      abandonStep(task),
    );
    return;
  }

  const round = isDrand(task) && task.committed_at ? await loadDrandRound(task) : null;
  append(main, h('dl', { class: 'facts', id: 'task-dates' }, dateFacts(task)));
  if (task.commitment_digest) append(main, commitmentFacts(task));
  if (round && task.state !== 'committed') append(main, drandFacts(round));
  if (task.state === 'committed' && round) {
    // The draw is offered once the round is due; the countdown brings it.
    const draw = h('div', { id: 'drand-draw-slot' });
    const offerDraw = () => draw.replaceChildren(drandDrawSteps(task, round));
    append(main, drandFacts(round, offerDraw), draw, details('tasks.rules.committed', rules(false)), abandonStep(task));
  } else if (task.state === 'committed') {
    append(main, drawStep(task), details('tasks.rules.committed', rules(false)), abandonStep(task));
  } else if (task.state === 'drawn') {
    append(main, await selectionSection(task), revealStep(task), noticeLink(task), details('tasks.rules.committed', rules(false)), abandonStep(task));
  } else if (task.state === 'revealed') {
    append(main, 
      h('p', { class: 'notice notice-info' }, tx('tasks.revealed.notice'), ' ', h('a', { href: publicPage(task.id) }, tx('tasks.done.publicPage', { id: task.id }))),
      await selectionSection(task),
      noticeLink(task),
      details('tasks.rules.committed', rules(false)),
    );
  } else {
    append(main, 
      h(
        'div',
        { class: 'notice notice-warn', id: 'abandoned-notice' },
        h('p', {}, tx('tasks.abandoned.reason', { reason: task.abandon_reason || '—' })),
        h('p', {}, tx(`tasks.done.abandoned.public.${abandonedFrom(task)}`)),
        h('p', {}, h('a', { href: publicPage(task.id) }, tx('tasks.done.publicPage', { id: task.id }))),
      ),
      details('tasks.rules.committed', rules(false)),
    );
  }
}

/** The commitment's facts: pool, digests, entropy. @param {import('./data.js').TaskView} task */
function commitmentFacts(task) {
  return h(
    'dl',
    { class: 'facts facts-wide', id: 'commitment-facts' },
    h('div', {}, h('dt', {}, tx('tasks.facts.pool')), h('dd', { id: 'pool-size' }, String(task.pool_size ?? '—'))),
    task.drawn_count !== null ? h('div', {}, h('dt', {}, tx('tasks.facts.drawn')), h('dd', { id: 'drawn-count' }, String(task.drawn_count))) : null,
    h('div', {}, h('dt', {}, tx('tasks.facts.commitment')), h('dd', {}, digest(task.commitment_digest))),
    task.entropy ? h('div', {}, h('dt', {}, tx('tasks.facts.entropy')), h('dd', {}, h('code', { class: 'digest' }, task.entropy))) : null,
    task.result_digest ? h('div', {}, h('dt', {}, tx('tasks.facts.result')), h('dd', {}, digest(task.result_digest))) : null,
  );
}

/**
 * The approved annual plan the task belongs to, with its batch, linked to
 * the plan's page; nothing for a plan named only as free text.
 * @param {import('./data.js').TaskView} task
 */
function planLine(task) {
  const plan = task.plan;
  if (!plan) return null;
  return h(
    'p',
    { class: 'task-plan', id: 'task-plan' },
    h('strong', {}, tx('tasks.plan.label')),
    ' ',
    h(
      'a',
      { href: planPage(plan.code), id: 'task-plan-link' },
      h('span', { lang: 'zh-CN' }, plan.name),
      plan.batch ? tx('tasks.plan.batch', { batch: plan.batch }) : null,
    ),
  );
}

/** A folded section. @param {string} key @param {any} content */
function details(key, content) {
  return h('details', { class: 'rules-details' }, h('summary', {}, tx(key)), content);
}

/** @param {import('./data.js').TaskView} task */
function noticeLink(task) {
  return h('p', {}, h('a', { href: `#/tasks/${task.id}/notice`, id: 'notice-link' }, tx('tasks.notice.link')));
}
