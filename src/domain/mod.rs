//! The domain's own vocabulary, free of storage and HTTP: the directory
//! records parsed from CSV rows, a task's definition and rules as people
//! write them, the working-day calendar, what an inspection found, a
//! task's lifecycle, the accounts that act, and instants in time.

pub mod account;
pub mod calendar;
pub mod csv_templates;
pub mod evidence;
pub mod inspection;
pub mod password;
pub mod records;
pub mod rules;
pub mod task;
pub mod task_definition;
pub mod time;
