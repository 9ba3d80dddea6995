//! The JavaScript verifier (public/verify.js) against the same test vectors
//! as the Rust implementation, with Node's test runner: a divergence between
//! the two implementations fails `cargo test`. Node is needed; without it
//! this test fails.

use std::process::Command;

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
