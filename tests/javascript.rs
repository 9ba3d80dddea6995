//! The JavaScript of public/, with Node's test runner: the verifier
//! (public/verify.js) against the same test vectors as the Rust
//! implementation, so that a divergence between the two fails `cargo test`,
//! and the site's import graph (no cycle); and the type check of the site's
//! modules by TypeScript (`tsc --noEmit -p .`, tsconfig.json), which needs
//! no build step. Node is needed, and TypeScript where scripts/test.sh
//! installs it; without them these tests fail.

use std::path::PathBuf;
use std::process::Command;

/// The TypeScript version scripts/test.sh installs.
const TYPESCRIPT_VERSION: &str = "5.9.3";

#[test]
fn the_javascript_verifier_passes_every_vector() {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = Command::new("node")
        .args(["--test", "tests/js/"])
        .current_dir(root)
        .env("OPENDRAW_BIN", env!("CARGO_BIN_EXE_opendraw"))
        .output()
        .expect("node (Node.js 20 or later) is needed to test public/verify.js");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "node --test failed:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("# fail 0"), "{report}");
    assert!(report.contains("# skipped 0"), "a JavaScript test was skipped:\n{report}");
    let passed = report
        .lines()
        .find_map(|line| line.strip_prefix("# pass "))
        .and_then(|n| n.trim().parse::<u32>().ok());
    assert!(passed.is_some_and(|n| n > 0), "no JavaScript test ran:\n{report}");
}

/// The target directory: the test binary's executable lives in its `debug/`.
fn target_dir() -> PathBuf {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_opendraw"));
    binary.parent().and_then(|debug| debug.parent()).expect("the binary is in <target>/<profile>/").to_owned()
}

#[test]
fn the_site_modules_pass_the_type_check() {
    let root = env!("CARGO_MANIFEST_DIR");
    let tsc = target_dir().join("typescript/node_modules/typescript/bin/tsc");
    assert!(
        tsc.exists(),
        "TypeScript {TYPESCRIPT_VERSION} is needed at {}: scripts/test.sh installs it (npm install --prefix <target>/typescript typescript@{TYPESCRIPT_VERSION})",
        tsc.display()
    );
    let version = Command::new("node").arg(&tsc).arg("--version").output().expect("node runs tsc");
    let version = String::from_utf8_lossy(&version.stdout);
    assert!(
        version.contains(TYPESCRIPT_VERSION),
        "TypeScript {TYPESCRIPT_VERSION} is pinned, found {version}"
    );
    let output = Command::new("node")
        .arg(&tsc)
        .args(["--noEmit", "-p", "."])
        .current_dir(root)
        .output()
        .expect("node (Node.js 20 or later) is needed to run tsc");
    assert!(
        output.status.success(),
        "tsc --noEmit -p . found errors:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Each vendored script of the site (public/vendor/) is the file its
/// README.md records: a section `## <file>` whose `SHA-256` row holds the
/// file's digest, so that a changed byte, or a file nobody recorded, fails.
#[test]
fn the_vendored_scripts_are_the_files_their_readme_records() {
    use sha2::{Digest as _, Sha256};
    let vendor = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public/vendor");
    let readme = std::fs::read_to_string(vendor.join("README.md")).expect("public/vendor/README.md");
    let mut scripts: Vec<String> = std::fs::read_dir(&vendor)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".js"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "no script in public/vendor/");
    for name in scripts {
        let section = readme
            .split("\n## ")
            .find(|section| section.lines().next() == Some(name.as_str()))
            .unwrap_or_else(|| panic!("public/vendor/README.md has no section ## {name}"));
        let recorded = section
            .lines()
            .find_map(|line| line.strip_prefix("| SHA-256 | `"))
            .and_then(|rest| rest.split('`').next())
            .unwrap_or_else(|| panic!("the section of {name} records no SHA-256"));
        let bytes = std::fs::read(vendor.join(&name)).unwrap();
        let digest = hex::encode(Sha256::digest(&bytes));
        assert_eq!(digest, recorded, "public/vendor/{name} is not the file README.md records");
    }
}
