//! `opendraw serve` run as a process apart from the test, as an operator
//! runs it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `opendraw serve` as a process of its own, on a port the system chose;
/// killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`, as the server logs it.
    pub address: String,
    /// Every line the server has written to stderr so far.
    log: Arc<Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// Starts `opendraw serve` on `database_url` with `args`, in `dir` (or
    /// this process's directory), and returns once it listens.
    pub fn start(database_url: &str, args: &[&str], dir: Option<&Path>) -> Self {
        Self::start_with_env(database_url, args, dir, &[])
    }

    /// As [`ServerProcess::start`], with these environment variables set.
    pub fn start_with_env(
        database_url: &str,
        args: &[&str],
        dir: Option<&Path>,
        env: &[(&str, &str)],
    ) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_opendraw"));
        command
            .args(["serve", "--database-url", database_url, "--bind", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        let mut child = command.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        let address = loop {
            let line = lines.next().expect("the server says where it listens").unwrap();
            log.lock().unwrap().push(line.clone());
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep reading so the server never blocks on a full pipe.
        let kept = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        Self { child, address, log }
    }

    /// The first line of the server's log containing `text`, waiting up to
    /// ten seconds for it.
    pub fn log_line(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(line) = self.log.lock().unwrap().iter().find(|line| line.contains(text)) {
                return line.clone();
            }
            assert!(Instant::now() < deadline, "the server never logged {text:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every line the server has logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Waits up to `limit` for the server to exit; `None` if it still runs.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Sends the server a signal (SIGHUP, SIGTERM, …).
    pub fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) with a child's pid and a signal number has no
        // memory effects on this process.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "signal {signal} sent");
    }

    /// The peak resident memory of the server so far, in KiB.
    pub fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find_map(|line| line.strip_prefix("VmHWM:")).unwrap();
        line.trim().trim_end_matches("kB").trim().parse().unwrap()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
