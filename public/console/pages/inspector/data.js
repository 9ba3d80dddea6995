// @ts-check
// What the inspector's pages read from the API, and the words they share:
// where a result lives, and how near its deadline is.

import { h, tx } from '../../../lib/dom.js';

/**
 * @typedef {{due_date: string, working_days_left: number, overdue: boolean}} Deadline
 * @typedef {{item: string, item_name: string | null, to_do: string, result_state: string | null,
 *   inspection_date: string | null, return_reason: string | null, deadline: Deadline | null,
 *   checklist_points?: number, attachments?: number}} AssignedItem
 * @typedef {{department: string, id: string, name: string | null}} TeamMember
 * @typedef {{task: number, target: string, inspector: string, reason: string, declared_at: string,
 *   replacement: number | null}} ConflictView
 * @typedef {{task: number, task_name: string, task_state: string, target: string,
 *   target_name: string | null, region: string | null, address: string | null, industry: string | null,
 *   department: string, team: TeamMember[], items: AssignedItem[], conflict: ConflictView | null,
 *   risk_class?: string | null, deadline_soonest?: Deadline | null}} Assignment
 * @typedef {{number: number, point: string, legal_basis: string, method: string}} ChecklistPoint
 * @typedef {{id: number, name: string, media_type: string, size: number, sha256: string,
 *   uploaded_by: string, uploaded_at: string}} Attachment
 * @typedef {{id: number, reference: string, task: number, task_name: string, target: string,
 *   target_name: string | null, item: string, item_name: string | null, state: string,
 *   outcome: string | null, outcome_text: string, inspection_date: string | null, summary: string,
 *   notes: string, submitted_at: string | null, return_reason: string | null, deadline: Deadline | null,
 *   answers?: Array<{number: number, point: string, legal_basis: string, answer: string, note: string}>,
 *   attachments?: Attachment[]}} ResultView
 */

/** Due within this many working days: shown as due soon. */
export const DUE_SOON_DAYS = 5;

/** The API path of the caller's result of an item. */
export function resultPath(/** @type {{task: number, target: string, item: string}} */ place) {
  return `/api/me/results/${place.task}/${encodeURIComponent(place.target)}/${encodeURIComponent(place.item)}`;
}

/** The console page of the result form ('#/assignments/1/T/ITEM'), at `step` when given. */
export function formHref(/** @type {{task: number, target: string, item: string}} */ place, /** @type {string} */ step = '') {
  const base = `#/assignments/${place.task}/${encodeURIComponent(place.target)}/${encodeURIComponent(place.item)}`;
  return step ? `${base}?step=${step}` : base;
}

/** 'overdue', 'soon' or null for a deadline. */
export function urgency(/** @type {Deadline | null | undefined} */ deadline) {
  if (!deadline) return null;
  if (deadline.overdue) return 'overdue';
  if (deadline.working_days_left <= DUE_SOON_DAYS) return 'soon';
  return null;
}

/** A deadline in words, marked by a word as well as a colour when overdue or due soon. */
export function deadlineEl(/** @type {Deadline | null | undefined} */ deadline) {
  if (!deadline) return h('span', { class: 'muted' }, tx('inspector.deadline.none'));
  const level = urgency(deadline);
  const days = Math.abs(deadline.working_days_left);
  return h(
    'span',
    { class: level ? `deadline deadline-${level}` : 'deadline', dataset: { urgency: level || 'later' } },
    level === 'overdue'
      ? h('strong', {}, tx('inspector.deadline.overdue', { date: deadline.due_date, days }))
      : level === 'soon'
        ? h('strong', {}, tx('inspector.deadline.soon', { date: deadline.due_date, days }))
        : tx('inspector.deadline.later', { date: deadline.due_date, days }),
  );
}

/** The soonest of an assignment's deadlines (the server's, else its items'). */
export function soonest(/** @type {Assignment} */ assignment) {
  if (assignment.deadline_soonest) return assignment.deadline_soonest;
  /** @type {Deadline | null} */
  let best = null;
  for (const item of assignment.items) {
    if (item.deadline && (!best || item.deadline.due_date < best.due_date)) best = item.deadline;
  }
  return best;
}
