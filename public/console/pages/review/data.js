// @ts-check
// What the review pages share: the shapes of a result and the ledger as the
// API gives them, a result's state and deadline in words, and the states
// of the tasks a page's results belong to (whether they may be published).

import { h, tx } from '../../../lib/dom.js';
import { get } from '../../session.js';

/**
 * @typedef {{due_date: string, working_days_left: number, overdue: boolean}} Deadline
 * @typedef {{at: string, actor: string, step: string, reason: string}} Step
 * @typedef {{number: number, point: string, legal_basis: string, answer: string, note: string}} Answer
 * @typedef {{id: number, name: string, media_type: string, size: number, sha256: string,
 *   uploaded_by: string, uploaded_at: string}} Attachment
 * @typedef {{id: number, reference: string, task: number, task_name: string, target: string,
 *   target_name: string | null, item: string, item_name: string | null, department: string,
 *   state: string, outcome: string | null, outcome_text: string, inspection_date: string | null,
 *   summary: string, notes: string, recorded_by: string, created_at: string, updated_at: string,
 *   submitted_at: string | null, reviewed_by: string | null, reviewed_at: string | null,
 *   return_reason: string | null, published_by: string | null, published_at: string | null,
 *   corrects: string | null, correction_reason: string | null, deadline: Deadline | null,
 *   steps: Step[], answers?: Answer[], attachments?: Attachment[]}} Result
 */

/** The states a supervisor's queue shows, in the order of the review. */
export const QUEUE_STATES = ['submitted', 'returned', 'approved', 'published'];

/** A result's (or a ledger line's) state in words; its colour only repeats them. */
export function resultState(/** @type {string} */ state) {
  return h('span', { class: 'state result-state', dataset: { state } }, tx(`review.state.${state}`));
}

/**
 * A deadline in words: overdue ones marked in red and in words.
 * @param {Deadline | null | undefined} deadline
 */
export function deadlineWords(deadline) {
  if (!deadline) return h('span', { class: 'muted' }, tx('review.deadline.none'));
  const { due_date: date, working_days_left: left } = deadline;
  if (deadline.overdue) {
    return h('span', { class: 'overdue' }, tx('review.deadline.overdue', { days: -left, date }));
  }
  return h('span', { class: left <= 5 ? 'due-soon' : null }, tx(left === 0 ? 'review.deadline.today' : 'review.deadline.left', { days: left, date }));
}

/**
 * The states of the tasks `ids` names ('unknown' for one the department
 * may not read), fetched side by side.
 * @param {number[]} ids
 * @returns {Promise<Map<number, string>>}
 */
export async function taskStates(ids) {
  const unique = [...new Set(ids)];
  const states = await Promise.all(
    unique.map((id) =>
      get(`/api/tasks/${id}`)
        .then((/** @type {{state: string}} */ task) => task.state)
        .catch(() => 'unknown'),
    ),
  );
  return new Map(unique.map((id, index) => [id, states[index]]));
}
