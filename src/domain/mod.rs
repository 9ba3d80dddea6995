//! The domain's own vocabulary, free of storage and HTTP: the directory
//! records parsed from CSV rows, a task's definition and rules as people
//! write them, the working-day calendar, and what an inspection found.

pub mod calendar;
pub mod inspection;
pub mod records;
pub mod rules;
pub mod task_definition;
