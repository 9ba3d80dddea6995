// @ts-check
// The shapes of the public API's answers that the pages read, as JSDoc
// types for the type check (no code). They follow the server's public views
// (src/service/public.rs, published.rs, protocol/log.rs); fields an older
// server may leave out are optional.

/**
 * A public log entry (GET /api/public/log).
 * @typedef {object} LogEntry
 * @property {number} seq
 * @property {string} at RFC 3339
 * @property {string} kind e.g. "task.committed"
 * @property {number | null} task
 * @property {string} actor
 * @property {string} payload JSON text
 * @property {string} payload_digest
 * @property {string} prev_hash
 * @property {string} hash
 */

/**
 * A quota: a ratio ("5%") or a count.
 * @typedef {{ratio?: string | null, count?: number | null}} QuotaRule
 */

/**
 * Which targets of the directory are in a task's pool.
 * @typedef {object} PoolFilter
 * @property {string[]} [regions]
 * @property {string[]} [industries]
 * @property {string[]} [risk_classes]
 * @property {string[]} [exclude_flags]
 * @property {number | null} [exclude_inspected_within_days]
 */

/**
 * A task's parameters, as committed.
 * @typedef {object} TaskDefinition
 * @property {string} [name]
 * @property {string[]} [items]
 * @property {string[]} [departments]
 * @property {PoolFilter} [filter]
 * @property {string[]} [strata_by]
 * @property {QuotaRule | null} [quota]
 * @property {Record<string, QuotaRule>} [quota_by_stratum]
 * @property {number} [inspectors_per_target]
 * @property {string[]} [cross]
 * @property {boolean} [balance]
 * @property {string} [certificate_date]
 * @property {Record<string, any>} [entropy]
 * @property {string | null} [embargo_until]
 */

/**
 * A published task (GET /api/public/tasks, /api/public/tasks/{id}).
 * @typedef {object} PublicTask
 * @property {number} id
 * @property {string} name
 * @property {string} department the lead department's code
 * @property {string} state
 * @property {TaskDefinition} definition
 * @property {number | null} [pool_size]
 * @property {number | null} [drawn_count]
 * @property {string} created_at
 * @property {string | null} [committed_at]
 * @property {string | null} [drawn_at]
 * @property {string | null} [revealed_at]
 * @property {string | null} [abandoned_at]
 * @property {string | null} [abandon_reason]
 * @property {string | null} [commitment_digest]
 * @property {string | null} [result_digest]
 * @property {string | null} [entropy]
 * @property {string | null} [secret]
 * @property {string | null} [seed]
 * @property {string | null} [result_status] "complete" or "failed"
 * @property {boolean} [draw_published]
 * @property {string[]} [files]
 * @property {LogEntry[]} [timeline]
 * @property {number} [results_published]
 */

/**
 * A drawn target with its inspectors (GET /api/public/tasks/{id}/selection).
 * @typedef {object} SelectedTarget
 * @property {number} position
 * @property {string} target
 * @property {string | null} [name]
 * @property {string} stratum
 * @property {Array<{department: string, id: string, name?: string | null}>} inspectors
 */

/**
 * An entity's public history (GET /api/public/entities/{id}).
 * @typedef {object} EntityView
 * @property {string} id
 * @property {string | null} [name]
 * @property {Array<{task: number, task_name: string, state: string, drawn_position?: number | null, selected?: boolean | null}>} pools
 * @property {any[]} results
 */

/**
 * An entity found by the search (/api/public/entities?q=).
 * @typedef {object} EntityMatch
 * @property {string} id
 * @property {string | null} name
 * @property {'code' | 'name'} matched
 */

export {};
