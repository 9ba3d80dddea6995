//! `opendraw witness` as a process of its own, on a port the system chose,
//! for the tests that need a witness to ask.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// `opendraw witness` on a port the system chose; killed when dropped.
pub struct WitnessProcess {
    child: Child,
    pub url: String,
}

impl WitnessProcess {
    pub fn start(state: &Path, name: &str, logs: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_opendraw"));
        command.args(["witness", "--bind", "127.0.0.1:0", "--name", name, "--state"]).arg(state);
        for vkey in logs {
            command.args(["--log", vkey]);
        }
        let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("the witness says where it listens").unwrap();
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
        Self { child, url }
    }
}

impl Drop for WitnessProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn witness_key(state: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_opendraw"))
        .args(["witness", "key", "--state"])
        .arg(state)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A witness of the log signed by `log_key`, run in a directory of its own,
/// named `court.example/witness`; with its verifier key and the `--witness`
/// setting (`VKEY@URL`) that has a server ask it.
#[allow(dead_code)]
pub struct Witnessing {
    pub process: WitnessProcess,
    pub key: String,
    pub setting: String,
    _dir: tempfile::TempDir,
}

#[allow(dead_code)]
pub fn witness_for(log_key: &str) -> Witnessing {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("witness");
    let process = WitnessProcess::start(&state, "court.example/witness", &[log_key]);
    let key = witness_key(&state);
    let setting = format!("{key}@{}", process.url);
    Witnessing { process, key, setting, _dir: dir }
}
