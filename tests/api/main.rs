//! The service over HTTP, against a real server and a real database, each
//! test on SQLite and on PostgreSQL.

mod helpers;
#[path = "../witness_process/mod.rs"]
mod witness_process;

mod abandoned_draws;
mod account_management;
mod acting_once;
mod audit_trail;
mod bad_input;
mod bulk_imports;
mod checklists;
mod cross_database;
mod dashboard;
mod deadlines;
mod departments;
mod directory_reads;
mod downloads;
mod drand_auto_draw;
mod drand_beacon;
mod draw_index;
mod dry_run;
mod entity_search;
mod entropy_event;
mod error_shapes;
mod evidence;
mod exchange;
mod frequency_caps;
mod hardening;
mod import_refusals;
mod inspections;
mod ledger;
mod lifecycle;
mod log_proof_vector;
mod plans;
mod public;
mod public_directories;
mod public_items;
mod public_reads;
mod reminder_webhook;
mod replacements;
mod risk_classes;
mod roles;
mod sealed_oracles;
mod sessions;
mod site_settings;
mod strict_fields;
mod task_plan;
mod task_selection;
mod transparency_log;
mod working_rules;
