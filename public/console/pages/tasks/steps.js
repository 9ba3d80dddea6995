// @ts-check
// The steps of a task's life, each saying what it publishes: commit (after
// checking the answers), draw (with the ceremony's entropy, its format
// checked as it is typed), reveal (early only when released explicitly)
// and abandon (with a reason; what a drawn task's abandonment publishes).

import { fill, h, tx } from '../../../lib/dom.js';
import { t } from '../../../lib/i18n.js';
import { eventWords, when } from './describe.js';
import { entropyProblem } from './entropy-format.js';
import { publishesList, stepSection } from './step.js';

/** @typedef {import('./data.js').TaskView} TaskView */

/**
 * Commit a draft.
 * @param {TaskView} task
 * @param {(field: string | null) => any} changeLink
 */
export function commitStep(task, changeLink) {
  return stepSection({
    id: 'commit',
    task,
    heading: tx('tasks.commit.h2'),
    publishes: publishesList('tasks.commit.publishes', [
      'tasks.commit.pub.rules',
      'tasks.commit.pub.pools',
      'tasks.commit.pub.secret',
      'tasks.commit.pub.entropy',
      'tasks.commit.pub.final',
    ]),
    confirm: tx('tasks.commit.confirm'),
    button: tx('tasks.commit.button'),
    request: () => ({ path: `/api/tasks/${task.id}/commit` }),
    done: 'committed',
    refusal: (error) => changeLink(error.field),
  });
}

/**
 * Draw with the public entropy: the commitment fixed its source, its time
 * and how it is written.
 * @param {TaskView} task
 */
export function drawStep(task) {
  const plan = task.definition.entropy;
  const min = plan.min_length || 20;
  let typed = 0;
  const status = h('p', { class: 'hint entropy-status', id: 'entropy-status', 'aria-live': 'polite' }, () => t('tasks.draw.count', { count: typed, min }));
  const entropy = h('input', {
    id: 'entropy',
    name: 'entropy',
    type: 'text',
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
    inputmode: plan.format === 'hex' ? 'text' : 'numeric',
    class: 'entropy-input',
    'aria-describedby': 'entropy-hint entropy-status entropy-error',
    oninput: () => checkAsTyped(),
  });
  const slot = h('p', { class: 'field-error', id: 'entropy-error', hidden: true });
  const eventMillis = plan.event_at ? Date.parse(plan.event_at) : NaN;
  const early = Number.isFinite(eventMillis) && Date.now() < eventMillis;

  function checkAsTyped() {
    const problem = entropyProblem(plan.format, entropy.value, min);
    typed = [...entropy.value].length;
    /** @type {HTMLElement} */ (status.firstElementChild).textContent = t('tasks.draw.count', { count: typed, min });
    // A wrong character is refused at once; too few characters only when drawing.
    if (problem && problem.problem === 'character') {
      fill(slot, problem.message);
      slot.hidden = false;
      entropy.setAttribute('aria-invalid', 'true');
    } else {
      slot.replaceChildren();
      slot.hidden = true;
      entropy.removeAttribute('aria-invalid');
    }
  }

  return stepSection({
    id: 'draw',
    task,
    heading: tx('tasks.draw.h2'),
    publishes: [
      h(
        'dl',
        { class: 'facts facts-wide' },
        h('div', {}, h('dt', {}, tx('tasks.field.source')), h('dd', {}, plan.source)),
        h('div', {}, h('dt', {}, tx('tasks.field.event')), h('dd', { id: 'entropy-event' }, () => eventWords(plan.event_at))),
        h('div', {}, h('dt', {}, tx('tasks.field.format')), h('dd', {}, tx(`tasks.format.rule.${plan.format}`))),
        h('div', {}, h('dt', {}, tx('tasks.field.min')), h('dd', {}, tx('tasks.summary.characters', { n: min }))),
      ),
      early ? notYet(eventMillis, plan.event_at) : null,
      publishesList('tasks.draw.publishes', ['tasks.draw.pub.entropy', 'tasks.draw.pub.digest', 'tasks.draw.pub.sealed', 'tasks.draw.pub.final']),
    ],
    fields: h(
      'div',
      { class: 'field', dataset: { field: 'entropy' } },
      h('label', { for: 'entropy' }, tx('tasks.draw.label')),
      h('p', { class: 'hint', id: 'entropy-hint' }, tx('tasks.draw.hint', { rule: t(`tasks.format.rule.${plan.format}`), min })),
      slot,
      entropy,
      status,
    ),
    confirm: tx('tasks.draw.confirm'),
    button: tx('tasks.draw.button'),
    check: () => {
      const problem = entropyProblem(plan.format, entropy.value, min);
      return problem ? [['entropy', problem.message]] : [];
    },
    request: () => ({ path: `/api/tasks/${task.id}/draw`, body: { entropy: entropy.value } }),
    done: 'drawn',
    fieldIds: { entropy: 'entropy' },
  });
}

/**
 * Says that the draw must wait for the event, and says so no more once
 * the event has come (the page may stay open until then).
 * @param {number} at
 * @param {string | undefined} event
 */
function notYet(at, event) {
  const notice = h('p', { class: 'notice notice-warn', id: 'entropy-not-yet', role: 'status' }, () => t('tasks.draw.early', { event: eventWords(event) }));
  setTimeout(() => {
    notice.className = 'notice notice-info';
    notice.replaceChildren(h('span', {}, () => t('tasks.draw.come', { event: eventWords(event) })));
  }, Math.min(at - Date.now() + 500, 2 ** 31 - 1));
  return notice;
}

/** Today in Beijing, YYYY-MM-DD. */
export function today() {
  return when(new Date().toISOString()).slice(0, 10);
}

/**
 * Reveal a drawn task; before its embargo date only released early.
 * @param {TaskView} task
 */
export function revealStep(task) {
  const embargo = task.definition.embargo_until;
  const before = !!embargo && today() < embargo;
  return stepSection({
    id: 'reveal',
    task,
    heading: tx('tasks.reveal.h2'),
    publishes: [
      publishesList('tasks.reveal.publishes', ['tasks.reveal.pub.secret', 'tasks.reveal.pub.selection', 'tasks.reveal.pub.replacements', 'tasks.reveal.pub.bundle', 'tasks.reveal.pub.final']),
      embargo
        ? h('p', { class: before ? 'notice notice-warn' : 'notice notice-info', id: 'embargo-notice' }, tx(before ? 'tasks.reveal.before' : 'tasks.reveal.after', { date: embargo }))
        : h('p', { class: 'notice notice-info', id: 'embargo-notice' }, tx('tasks.reveal.noEmbargo')),
    ],
    fields: before
      ? h(
          'div',
          { class: 'checkbox-field' },
          h('input', { type: 'checkbox', id: 'release-early', name: 'release-early', 'aria-describedby': 'release-early-hint release-early-error' }),
          h('label', { for: 'release-early' }, tx('tasks.reveal.early', { date: embargo })),
          h('p', { class: 'hint choice-hint', id: 'release-early-hint' }, tx('tasks.reveal.early.hint')),
          h('p', { class: 'field-error', id: 'release-early-error', hidden: true }),
        )
      : null,
    confirm: tx('tasks.reveal.confirm'),
    button: tx('tasks.reveal.button'),
    check: (form) => {
      const box = /** @type {HTMLInputElement | null} */ (form.querySelector('#release-early'));
      return box && !box.checked ? [['release-early', tx('tasks.reveal.early.missing', { date: embargo })]] : [];
    },
    request: (form) => {
      const box = /** @type {HTMLInputElement | null} */ (form.querySelector('#release-early'));
      return { path: `/api/tasks/${task.id}/reveal`, body: { release_early: !!(box && box.checked) } };
    },
    done: 'revealed',
  });
}

/**
 * Abandon a task that is not revealed, with a reason; what it publishes
 * depends on how far the task has come.
 * @param {TaskView} task
 */
export function abandonStep(task) {
  const reason = h('textarea', { id: 'abandon-reason', name: 'abandon-reason', rows: 3, 'aria-describedby': 'abandon-reason-hint abandon-reason-error' });
  const section = stepSection({
    id: 'abandon',
    task,
    heading: tx('tasks.abandon.h2'),
    publishes: h('p', {}, tx(`tasks.abandon.publishes.${task.state}`)),
    fields: h(
      'div',
      { class: 'field field-wide', dataset: { field: 'abandon-reason' } },
      h('label', { for: 'abandon-reason' }, tx('tasks.abandon.reason')),
      h('p', { class: 'hint', id: 'abandon-reason-hint' }, tx('tasks.abandon.reason.hint')),
      h('p', { class: 'field-error', id: 'abandon-reason-error', hidden: true }),
      reason,
    ),
    confirm: tx('tasks.abandon.confirm'),
    button: tx('tasks.abandon.button'),
    danger: true,
    check: () => (reason.value.trim() ? [] : [['abandon-reason', tx('tasks.abandon.reason.missing')]]),
    request: () => ({ path: `/api/tasks/${task.id}/abandon`, body: { reason: reason.value.trim() } }),
    done: 'abandoned',
    fieldIds: { reason: 'abandon-reason' },
  });
  // Kept folded: abandoning is the exception, not the next step.
  return h('details', { class: 'abandon', id: 'abandon' }, h('summary', { id: 'abandon-open' }, tx('tasks.abandon.open')), section);
}
