-- Each department's annual spot-check plans (年度抽查工作计划)
-- (migrations/postgres/0016_annual_plans.sql is the same for PostgreSQL;
-- keep the two in step). A plan is written as a draft, edited freely, and
-- approved once: approval is final, publishes the plan and writes its
-- `plan.approved` entry in the public log. A correction is a new plan.
CREATE TABLE annual_plans (
    department  TEXT NOT NULL,
    -- Unique within the department, e.g. 2026-market.
    code        TEXT NOT NULL,
    year        INTEGER NOT NULL,
    name        TEXT NOT NULL,
    -- draft or approved.
    state       TEXT NOT NULL CHECK (state IN ('draft', 'approved')),
    -- The plan's items and batches as JSON (checked by the service).
    items       TEXT NOT NULL,
    batches     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    -- SHA-256 (lowercase hex) of the plan's canonical JSON as published,
    -- which its log entry names; set at approval.
    sha256      TEXT,
    PRIMARY KEY (department, code)
);
CREATE INDEX annual_plans_public ON annual_plans (state, year);
