//! `opendraw serve --config FILE` takes its settings from a TOML file whose
//! keys are the long flags; a flag or an environment variable given as
//! well overrides the file, and a key that is no setting is refused.

#[allow(dead_code)]
mod server_process;

use std::process::Command;

use server_process::ServerProcess;

fn write_config(dir: &std::path::Path, text: &str) -> String {
    let path = dir.join("opendraw.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn settings_come_from_the_file_and_flags_and_environment_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let from_file = dir.path().join("from-file.db");
    let config = write_config(
        dir.path(),
        &format!(
            "database-url = \"{}\"\nlog-format = \"json\"\nmetrics-address = \"127.0.0.1:0\"\n\
             public-dir = \"/nonexistent\"\nmax-json-bytes = 4096\n",
            from_file.display()
        ),
    );

    // The file alone (the harness's --bind and --database-url aside):
    // JSON logs and a metrics listener, as the file says.
    let flag_database = format!("sqlite:{}", dir.path().join("from-flag.db").display());
    let server = ServerProcess::start(&flag_database, &["--config", &config], None);
    server.log_line("metrics at ");
    let listening = server.log_line("listening on");
    assert!(listening.starts_with('{'), "JSON from the file: {listening}");
    // The flag's database, not the file's.
    assert!(listening.contains("from-flag.db"), "{listening}");
    assert!(!from_file.exists(), "the file's database was not opened");
    drop(server);

    // The environment overrides the file too.
    let server = ServerProcess::start_with_env(
        &flag_database,
        &["--config", &config],
        None,
        &[("OPENDRAW_LOG_FORMAT", "text")],
    );
    let listening = server.log_line("listening on");
    assert!(!listening.starts_with('{'), "text from the environment: {listening}");
}

#[test]
fn the_database_and_address_can_come_from_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("only-file.db");
    let config = write_config(
        dir.path(),
        &format!(
            "database-url = \"{}\"\nbind = \"127.0.0.1:0\"\nsecure-cookies = true\n",
            database.display()
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_opendraw"))
        .args(["serve", "--config", &config])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let listening = lines.find(|line| line.as_ref().unwrap().contains("listening on")).unwrap().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(listening.contains(&database.display().to_string()), "{listening}");
    assert!(listening.contains("127.0.0.1:") && !listening.contains(":8080"), "{listening}");
}

#[test]
fn a_key_that_is_no_setting_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "bnd = \"127.0.0.1:0\"\n");
    let output = Command::new(env!("CARGO_BIN_EXE_opendraw"))
        .args([
            "serve",
            "--database-url",
            &dir.path().join("x.db").display().to_string(),
            "--config",
            &config,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`bnd` is not a setting of opendraw serve"), "{stderr}");
    assert!(stderr.contains("bind"), "lists the settings: {stderr}");
    assert!(!dir.path().join("x.db").exists(), "nothing was started");
}

#[test]
fn the_systemd_example_settings_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/systemd/opendraw.toml");
    let database = format!("sqlite:{}", dir.path().join("example.db").display());
    // The example's own database path and ports are replaced by flags.
    let server =
        ServerProcess::start(&database, &["--config", config, "--metrics-address", "127.0.0.1:0"], None);
    server.log_line("metrics at ");
    assert!(server.log_line("listening on").starts_with('{'), "the example asks for JSON logs");
}

#[test]
fn a_repeatable_setting_takes_a_list_and_a_single_one_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "exchange-webhook = [\"http://127.0.0.1:9/a\", \"http://127.0.0.1:9/b\"]\nexchange-secret = \"s\"\n",
    );
    let database = format!("sqlite:{}", dir.path().join("list.db").display());
    let server = ServerProcess::start(&database, &["--config", &config], None);
    let line = server.log_line("exchange webhook");
    assert!(line.contains("sent to 2 exchange webhook(s), signed"), "{line}");
    drop(server);

    let config = write_config(dir.path(), "bind = [\"127.0.0.1:0\", \"127.0.0.1:1\"]\n");
    let output = Command::new(env!("CARGO_BIN_EXE_opendraw"))
        .args(["serve", "--database-url", &database, "--config", &config])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`bind` takes one value, not a list"), "{stderr}");
}
