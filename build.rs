//! Rebuilds the crate when a migration is added or changed.
//!
//! `sqlx::migrate!` copies `migrations/` into the binary when the crate is
//! compiled, and Cargo compiles again only when a file it knows of changes;
//! a new migration is a new file, so without this a build after adding one
//! kept the old list, and the service and the tests migrated to the schema
//! of the build before.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
