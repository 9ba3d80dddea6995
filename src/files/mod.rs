//! Files that cross the edge of the system: directory CSV files read in,
//! CSV exports written for spreadsheets, and the verification bundle.

pub mod bundle;
pub mod csv_input;
pub mod csv_output;
pub mod directory;
