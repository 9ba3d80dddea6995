//! HTTPS built in: `serve --tls-cert FILE --tls-key FILE` serves the same
//! application over TLS (rustls), tells browsers to keep to HTTPS (HSTS),
//! and reads the two files again on SIGHUP, so that a renewed certificate
//! is taken up without a restart and without dropping a connection.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum_server::Handle;
use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use tower_http::set_header::SetResponseHeaderLayer;

/// The certificate chain and private key files (PEM).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// One year, the usual HSTS lifetime; no `includeSubDomains`, since the
/// service does not know what else its domain serves.
const HSTS: &str = "max-age=31536000";

/// How long requests in flight may take to finish after a stop is asked.
pub const DRAIN: Duration = Duration::from_secs(20);

/// Serves `app` over TLS on `listener` until `stop` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    files: TlsFiles,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let config = load(&files).await?;
    tokio::spawn(reload_on_hangup(config.clone(), files));
    let handle = Handle::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        stop.await;
        stopping.graceful_shutdown(Some(DRAIN));
    });
    let app = app.layer(SetResponseHeaderLayer::overriding(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    ));
    // Nagle's algorithm off, as for plain HTTP (see serve.rs).
    let acceptor = RustlsAcceptor::new(config).acceptor(NoDelayAcceptor::new());
    axum_server::from_tcp(listener.into_std()?)?
        .acceptor(acceptor)
        .handle(handle)
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await?;
    Ok(())
}

async fn load(files: &TlsFiles) -> anyhow::Result<RustlsConfig> {
    // rustls needs one crypto provider for the process; a second call finds
    // it installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    RustlsConfig::from_pem_file(&files.cert, &files.key).await.with_context(|| {
        format!("cannot use the certificate {} with the key {}", files.cert.display(), files.key.display())
    })
}

/// Reads the certificate and key again on every SIGHUP. A pair that does
/// not load leaves the one in use, and says why.
async fn reload_on_hangup(config: RustlsConfig, files: TlsFiles) {
    let mut hangups = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(signal) => signal,
        Err(error) => {
            tracing::warn!(%error, "no SIGHUP handler: the certificate is read at start only");
            return;
        }
    };
    while hangups.recv().await.is_some() {
        match config.reload_from_pem_file(&files.cert, &files.key).await {
            Ok(()) => tracing::info!(cert = %files.cert.display(), "certificate reloaded"),
            Err(error) => tracing::warn!(%error, "the certificate was not reloaded; the previous one stays"),
        }
    }
}
