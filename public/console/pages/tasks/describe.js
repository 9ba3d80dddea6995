// @ts-check
// A task in words: its state, its dates, its rules, and what comes next.
// The list, the check-your-answers summary and the printed notice say a
// task's rules the same way.

import { h, tx } from '../../../lib/dom.js';
import { getLang, t } from '../../../lib/i18n.js';

/**
 * @typedef {import('./data.js').TaskView} TaskView
 * @typedef {import('./data.js').TaskDefinition} TaskDefinition
 * @typedef {import('./data.js').QuotaRule} QuotaRule
 */

/** A state badge: the state in words (its colour only repeats them). */
export function stateBadge(/** @type {string} */ state) {
  return h('span', { class: 'state', dataset: { state } }, tx(`tasks.state.${state}`));
}

/**
 * A time from the API (RFC 3339) in Beijing time, to the minute.
 * @param {string | null | undefined} text
 */
export function when(text) {
  if (!text) return '—';
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(date);
    /** @param {string} type */
    const part = (type) => (parts.find((p) => p.type === type) || { value: '' }).value;
    return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
  } catch (_) {
    return text;
  }
}

/** An entropy event time as written (2026-12-15T09:30:00+08:00), in words. */
export function eventWords(/** @type {string | undefined} */ event) {
  if (!event) return '—';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2})$/.exec(event);
  if (!match) return event;
  return match[3] === '+08:00' ? t('tasks.time.beijing', { date: match[1], time: match[2] }) : `${match[1]} ${match[2]} (UTC${match[3]})`;
}

/** A quota rule in words: "5%" or "10 targets". */
export function quotaWords(/** @type {QuotaRule | null | undefined} */ rule) {
  if (!rule) return t('tasks.quota.none');
  if (rule.ratio) return t('tasks.quota.ratio', { ratio: rule.ratio });
  return t('tasks.quota.count', { count: rule.count });
}

/** A list in words, or `empty` for none. */
export function listWords(/** @type {string[] | undefined} */ values, /** @type {string} */ empty) {
  return values && values.length ? values.join(getLang() === 'zh' ? '、' : ', ') : t(empty);
}

/**
 * What comes next for a task in `state`, in words.
 * @param {TaskView} task
 */
export function nextStep(task) {
  const definition = task.definition;
  switch (task.state) {
    case 'draft':
      return t('tasks.next.draft');
    case 'committed': {
      if (definition.entropy.format === 'drand') return t('tasks.next.committed.drand');
      const event = definition.entropy.event_at;
      const due = !!event && Date.parse(event) <= Date.now();
      return t(due ? 'tasks.next.committed.due' : 'tasks.next.committed', { event: eventWords(event) });
    }
    case 'drawn':
      return definition.embargo_until
        ? t('tasks.next.drawn.embargo', { date: definition.embargo_until })
        : t('tasks.next.drawn');
    case 'revealed':
      return t('tasks.next.revealed');
    default:
      return t('tasks.next.abandoned');
  }
}

/**
 * The dates a task has, as facts (dt/dd pairs in <div>s).
 * @param {TaskView} task
 */
export function dateFacts(task) {
  /** @type {Array<[string, string | null]>} */
  const dates = [
    ['tasks.date.created', task.created_at],
    ['tasks.date.committed', task.committed_at],
    ['tasks.date.drawn', task.drawn_at],
    ['tasks.date.revealed', task.revealed_at],
    ['tasks.date.abandoned', task.abandoned_at],
  ];
  return dates
    .filter(([, at]) => at)
    .map(([key, at]) => h('div', {}, h('dt', {}, tx(key)), h('dd', {}, when(at))));
}

/** Digest text that wraps and can be selected whole. */
export function digest(/** @type {string | null} */ hex) {
  return hex ? h('code', { class: 'digest' }, hex) : '—';
}
