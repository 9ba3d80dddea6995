//! `opendraw serve` run as a process apart from the test, as an operator
//! runs it.

/// `opendraw serve` as a process of its own, on a port of its own; killed
/// when dropped.
pub struct ServerProcess {
    child: std::process::Child,
    pub address: String,
}

impl ServerProcess {
    /// Starts `binary serve` on `database_url` with `args`, in `dir` (or
    /// this process's directory), and waits until it answers.
    pub async fn start(
        binary: &str,
        database_url: &str,
        args: &[&str],
        dir: Option<&std::path::Path>,
    ) -> Self {
        // A port the system has just handed out and taken back: free.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let address = format!("127.0.0.1:{port}");
        let mut command = std::process::Command::new(binary);
        command
            .args(["serve", "--database-url", database_url, "--bind", &address])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null());
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        let server = Self { child: command.spawn().unwrap(), address: format!("http://{address}") };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while reqwest::get(format!("{}/api/public/log/head", server.address)).await.is_err() {
            assert!(std::time::Instant::now() < deadline, "the server did not start");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        server
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
