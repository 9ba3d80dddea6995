// @ts-check
// What the task pages read from the API, with the types of its answers
// (TaskView, TaskDefinition, the directories' facets, the selection).

import { h, tx } from '../../../lib/dom.js';
import { get } from '../../session.js';
import { append } from './page.js';

/**
 * @typedef {{ratio?: string, count?: number}} QuotaRule
 * @typedef {{regions?: string[], industries?: string[], risk_classes?: string[],
 *   exclude_flags?: string[], exclude_inspected_within_days?: number | null}} PoolFilter
 * @typedef {{format: string, source: string, min_length?: number, event_at?: string, margin_seconds?: number}} EntropyPlan
 * @typedef {{name: string, items: string[], departments?: string[], filter?: PoolFilter,
 *   strata_by?: string[], quota?: QuotaRule | null, quota_by_stratum?: Record<string, QuotaRule>,
 *   inspectors_per_target?: number, cross?: string[], balance?: boolean, certificate_date: string,
 *   entropy: EntropyPlan, embargo_until?: string | null, plan_id?: string, plan_name?: string, plan_batch?: number,
 *   inspection_type?: string, authority?: string}} TaskDefinition
 * @typedef {'draft' | 'committed' | 'drawn' | 'revealed' | 'abandoned'} TaskState
 * @typedef {{id: number, name: string, department: string, state: TaskState,
 *   definition: TaskDefinition, created_by: string, created_at: string, updated_at: string,
 *   committed_at: string | null, drawn_at: string | null, revealed_at: string | null,
 *   abandoned_at: string | null, abandon_reason: string | null, pool_size: number | null,
 *   drawn_count: number | null, commitment_digest: string | null, result_digest: string | null,
 *   result_status: string | null, entropy: string | null, plan?: PlanLink | null}} TaskView
 * @typedef {{department: string, code: string, name: string, batch: number | null}} PlanLink
 *   the approved annual plan a task belongs to
 * @typedef {{code: string, name: string, legal_basis: string, department: string,
 *   target_category: string, sampling_ratio_bp: number | null, frequency: string, method: string,
 *   retired_on: string | null, frequency_cap: number | null}} Item
 * @typedef {{value: string, count: number}} Facet
 * @typedef {{regions: Facet[], industries: Facet[], risk_classes: Facet[], flags: Facet[]}} Facets
 * @typedef {{code: string, name_zh: string, name_en: string}} Department
 * @typedef {{id: string, name: string | null, department: string}} TeamMember
 * @typedef {{rank: number, id: string, name: string | null, region: string | null,
 *   industry: string | null, risk_class: string | null, stratum: string,
 *   inspectors: TeamMember[]}} SelectedTarget (names are null for entries that left the directory)
 * @typedef {{status: 'complete' | 'failed', failure: string | null, targets: SelectedTarget[]}} Selection
 */

/** The states in the order a task goes through them. */
/** @type {TaskState[]} */
export const STATES = ['draft', 'committed', 'drawn', 'revealed', 'abandoned'];

/**
 * The task, or null when the caller's department has no such task: a task
 * of another department is "not found" too, as the server refuses it
 * without saying more.
 * @param {string} id
 * @returns {Promise<TaskView | null>}
 */
export async function loadTask(id) {
  if (!/^[1-9][0-9]{0,17}$/.test(id)) return null;
  try {
    return await get(`/api/tasks/${id}`);
  } catch (error) {
    if (error.status === 404 || error.status === 403) return null;
    throw error;
  }
}

/** @returns {Promise<Item[]>} */
export function loadItems() {
  return get('/api/items');
}

/**
 * The values of the target directory, to offer in the pool filter; empty
 * lists when the server cannot say (the form still works, offering none).
 * @returns {Promise<Facets>}
 */
export async function loadFacets() {
  try {
    return await get('/api/directories/facets');
  } catch (_) {
    return { regions: [], industries: [], risk_classes: [], flags: [] };
  }
}

/**
 * Every department known, with its names; when the server cannot say, the
 * departments keeping items (named by their codes), so that a joint task
 * can still name them.
 * @param {Item[]} [items]
 * @returns {Promise<Department[]>}
 */
export async function loadDepartments(items = []) {
  try {
    return await get('/api/departments');
  } catch (_) {
    const codes = [...new Set(items.map((item) => item.department))].sort();
    return codes.map((code) => ({ code, name_zh: code, name_en: code }));
  }
}

/**
 * The page for a task the caller cannot open.
 * @param {HTMLElement} main
 * @param {string} id
 */
export function notFound(main, id) {
  append(main, 
    h('h1', {}, tx('tasks.notfound.h1')),
    h('p', {}, tx('tasks.notfound.text', { id })),
    h('p', {}, h('a', { href: '#/tasks' }, tx('tasks.back'))),
  );
}

/** The address of the task's public page. */
export function publicPage(/** @type {number} */ id) {
  return `/task.html?id=${id}`;
}
