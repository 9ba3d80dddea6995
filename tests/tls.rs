//! HTTPS built in: `serve --tls-cert --tls-key` answers over TLS only, with
//! HSTS, and takes up a renewed certificate on SIGHUP without a restart.
//! The certificates are made by `openssl` and the requests sent by `curl`,
//! both real clients of the protocol.

#[allow(dead_code)]
mod server_process;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use server_process::ServerProcess;

/// A self-signed certificate for 127.0.0.1 and its key, as `NAME.pem` and
/// `NAME.key` in `dir`.
fn certificate(dir: &Path, name: &str) {
    let status = Command::new("openssl")
        .current_dir(dir)
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
        .args(["-keyout", &format!("{name}.key"), "-out", &format!("{name}.pem"), "-days", "2"])
        .args(["-subj", &format!("/CN={name}"), "-addext", "subjectAltName=IP:127.0.0.1"])
        .output()
        .expect("openssl is needed for the TLS test");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
}

/// `curl` of `url` trusting only `ca`: the response headers, or the error.
fn fetch(url: &str, ca: Option<&Path>) -> Result<String, String> {
    let mut command = Command::new("curl");
    command.args(["-sS", "--max-time", "5", "-o", "/dev/null", "-D", "-", url]);
    if let Some(ca) = ca {
        command.arg("--cacert").arg(ca);
    }
    let output = command.output().expect("curl is needed for the TLS test");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).to_lowercase())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn the_service_answers_over_tls_with_hsts_and_takes_a_new_certificate_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    certificate(dir.path(), "first");
    certificate(dir.path(), "second");
    std::fs::copy(dir.path().join("first.pem"), dir.path().join("cert.pem")).unwrap();
    std::fs::copy(dir.path().join("first.key"), dir.path().join("key.pem")).unwrap();
    let database = format!("sqlite:{}", dir.path().join("tls.db").display());
    let cert = dir.path().join("cert.pem").display().to_string();
    let key = dir.path().join("key.pem").display().to_string();
    let server = ServerProcess::start(&database, &["--tls-cert", &cert, "--tls-key", &key], Some(dir.path()));
    assert!(server.address.starts_with("https://127.0.0.1:"), "{}", server.address);
    let url = format!("{}/api/public/log/head", server.address);

    let headers = fetch(&url, Some(&dir.path().join("first.pem"))).unwrap();
    assert!(headers.starts_with("http/1.1 200") || headers.starts_with("http/2 200"), "{headers}");
    assert!(headers.contains("strict-transport-security: max-age=31536000"), "{headers}");
    // A client that does not trust the certificate is refused by its own
    // check, and plain HTTP on the port gets no answer.
    assert!(fetch(&url, None).is_err());
    let plain = url.replacen("https://", "http://", 1);
    assert!(fetch(&plain, None).is_err(), "plain HTTP is not served");

    // The renewed certificate is written over the old files: taken up on SIGHUP.
    std::fs::copy(dir.path().join("second.pem"), dir.path().join("cert.pem")).unwrap();
    std::fs::copy(dir.path().join("second.key"), dir.path().join("key.pem")).unwrap();
    assert!(fetch(&url, Some(&dir.path().join("first.pem"))).is_ok(), "nothing changes before the signal");
    server.signal(libc::SIGHUP);
    let deadline = Instant::now() + Duration::from_secs(10);
    while fetch(&url, Some(&dir.path().join("second.pem"))).is_err() {
        assert!(Instant::now() < deadline, "the second certificate was never served");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(fetch(&url, Some(&dir.path().join("first.pem"))).is_err(), "the first is no longer served");

    // A broken file at the next SIGHUP leaves the certificate in use.
    std::fs::write(dir.path().join("cert.pem"), "not a certificate").unwrap();
    server.signal(libc::SIGHUP);
    std::thread::sleep(Duration::from_millis(500));
    assert!(fetch(&url, Some(&dir.path().join("second.pem"))).is_ok(), "still serving the second");
}
