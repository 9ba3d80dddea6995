//! The container image builds and serves `/healthz`. It needs a running
//! Docker daemon and network access to pull the base images, and a release
//! build takes minutes, so it is not part of the ordinary run: it is
//! ignored, and reported as such rather than passed. Run it by hand with
//! `cargo test --test docker_image -- --ignored`; without a reachable
//! daemon it fails, saying so, instead of passing.

use std::process::Command;
use std::time::{Duration, Instant};

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker").args(args).output().expect("the docker command is installed")
}

#[test]
#[ignore = "needs a Docker daemon and network; run with --ignored (README, Running in production)"]
fn the_image_builds_and_its_health_check_answers() {
    let daemon = docker(&["version", "--format", "{{.Server.Version}}"]);
    assert!(
        daemon.status.success(),
        "no Docker daemon: the image was NOT built or tested\n{}",
        String::from_utf8_lossy(&daemon.stderr)
    );
    let started = Instant::now();
    let built = Command::new("docker")
        .args(["build", "-t", "opendraw:test", env!("CARGO_MANIFEST_DIR")])
        .status()
        .unwrap();
    assert!(built.success(), "docker build failed");
    println!("docker build took {:?}", started.elapsed());
    let run = docker(&["run", "-d", "--rm", "-p", "127.0.0.1::8080", "opendraw:test"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let id = String::from_utf8(run.stdout).unwrap().trim().to_owned();
    let port = String::from_utf8(docker(&["port", &id, "8080"]).stdout).unwrap();
    let address = port.lines().next().unwrap().trim().to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    let answered = loop {
        let health =
            Command::new("curl").args(["-fsS", &format!("http://{address}/healthz")]).output().unwrap();
        if health.status.success() {
            break String::from_utf8(health.stdout).unwrap();
        }
        if Instant::now() > deadline {
            break String::new();
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let user = docker(&["exec", &id, "id", "-u"]);
    docker(&["stop", "-t", "30", &id]);
    assert!(answered.contains("\"up\""), "/healthz did not answer from the container");
    assert_eq!(String::from_utf8_lossy(&user.stdout).trim(), "10001", "runs as the unprivileged user");
}
