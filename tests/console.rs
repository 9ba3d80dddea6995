//! The staff console in a real browser: headless Chromium through
//! chromedriver, against the real server on a real port with the demo
//! data, signing in and clicking and typing as a person would. Every page
//! is checked with axe-core (WCAG 2.1 A and AA) and photographed, in
//! Chinese and English, on a desktop and on a 390×844 phone, into
//! target/screenshots/console-*.png.

mod browser_support;
#[path = "console/support.rs"]
mod support;

#[path = "console/account.rs"]
mod account;
#[path = "console/staff_api.rs"]
mod staff_api;

#[path = "console/admin.rs"]
mod admin;
#[path = "console/dashboard.rs"]
mod dashboard;
#[path = "console/directories.rs"]
mod directories;
#[path = "console/drand.rs"]
mod drand;
#[path = "console/form_errors.rs"]
mod form_errors;

#[path = "console/plans.rs"]
mod plans;
#[path = "console/review.rs"]
mod review;
#[path = "console/risk_classes.rs"]
mod risk_classes;
#[path = "console/rules.rs"]
mod rules;
#[path = "console/server_refusals.rs"]
mod server_refusals;
#[path = "console/tasks.rs"]
mod tasks;

#[path = "console/inspector.rs"]
mod inspector;
