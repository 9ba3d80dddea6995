//! `opendraw serve`: the HTTP service.

use std::net::SocketAddr;
use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::serve::ListenerExt;

use super::tls;
use super::{DatabaseArgs, LogFormat};
use crate::demo;
use crate::http;
use crate::http::limits::{self, Limits};
use crate::http::metrics::Metrics;
use crate::http::site::Site;
use crate::service::Service;
use crate::service::drand_relays::DrandRelays;
use crate::service::exchange::outbox::ExchangeWebhooks;
use crate::service::reminder_webhook::ReminderWebhook;
use crate::service::witnesses::Witnesses;

/// Run the HTTP service (API at /api, public site at /).
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Read the settings from this TOML file (keys named as the long flags,
    /// e.g. `bind = "0.0.0.0:8080"`); flags and environment variables
    /// override it.
    #[arg(long, env = "OPENDRAW_CONFIG")]
    config: Option<PathBuf>,
    #[command(flatten)]
    database: DatabaseArgs,
    /// A read replica of the (PostgreSQL) database: public reads go there,
    /// writes and staff reads to --database-url.
    #[arg(long, env = "OPENDRAW_READ_DATABASE_URL")]
    read_database_url: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "OPENDRAW_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Serve the public results site at / from this directory instead of
    /// the copy built into the binary (to see changes to the pages without
    /// building again). A path that is no directory serves the API alone.
    #[arg(long, env = "OPENDRAW_PUBLIC_DIR")]
    public_dir: Option<PathBuf>,
    /// Keep attachments' bytes as files in this directory (created if
    /// missing), each named by its SHA-256 and synced before its row
    /// commits, instead of in the database.
    #[arg(long, env = "OPENDRAW_ATTACHMENTS_DIR")]
    attachments_dir: Option<PathBuf>,
    /// Load the demo (directories, accounts, a task in every state) into an
    /// empty database first.
    #[arg(long)]
    demo: bool,
    /// Largest CSV upload to an import route, in bytes (read as a stream).
    #[arg(long, env = "OPENDRAW_MAX_IMPORT_BYTES", default_value_t = limits::DEFAULT_IMPORT_BYTES)]
    max_import_bytes: u64,
    /// Largest JSON request body, in bytes.
    #[arg(long, env = "OPENDRAW_MAX_JSON_BYTES", default_value_t = limits::DEFAULT_JSON_BYTES)]
    max_json_bytes: usize,
    /// Failed authentications allowed per client address and minute.
    #[arg(long, env = "OPENDRAW_AUTH_FAILURES_PER_MINUTE",
        default_value_t = NonZeroU32::new(limits::DEFAULT_AUTH_FAILURES_PER_MINUTE).expect("not zero"))]
    auth_failures_per_minute: NonZeroU32,
    /// Imports the server runs at once; further ones get 503 with Retry-After.
    #[arg(long, env = "OPENDRAW_MAX_CONCURRENT_IMPORTS",
        default_value_t = NonZeroUsize::new(limits::DEFAULT_CONCURRENT_IMPORTS).expect("not zero"))]
    max_concurrent_imports: NonZeroUsize,
    /// Verification bundles sent at once; more requests get 503 with Retry-After.
    #[arg(long, env = "OPENDRAW_MAX_CONCURRENT_DOWNLOADS",
        default_value_t = NonZeroUsize::new(limits::DEFAULT_CONCURRENT_DOWNLOADS).expect("not zero"))]
    max_concurrent_downloads: NonZeroUsize,
    /// Serve HTTPS with this certificate chain (PEM), read again on SIGHUP.
    #[arg(long, env = "OPENDRAW_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "OPENDRAW_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Mark the session cookie `Secure` (sent over HTTPS only): set it when
    /// clients reach the server over HTTPS through a TLS proxy (with
    /// --tls-cert it is always set).
    #[arg(long, env = "OPENDRAW_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Serve Prometheus metrics at http://ADDRESS/metrics, on a listener of
    /// their own (keep it off the public network). Without it, no metrics
    /// are served.
    #[arg(long, env = "OPENDRAW_METRICS_ADDRESS")]
    metrics_address: Option<SocketAddr>,
    /// How log lines are written to stderr: `text` or `json` (one object a
    /// line, for a log collector).
    #[arg(long, env = "OPENDRAW_LOG_FORMAT", value_enum, default_value_t)]
    log_format: LogFormat,
    /// POST a daily summary of the reminders (per department and inspector,
    /// results due within five working days or overdue) as JSON to this
    /// http:// address; off unless given.
    #[arg(long, env = "OPENDRAW_REMINDER_WEBHOOK")]
    reminder_webhook: Option<String>,
    /// The hour of the day (0–23, where the service works) from which the
    /// daily reminder summary is sent.
    #[arg(long, env = "OPENDRAW_REMINDER_HOUR", default_value_t = 8)]
    reminder_hour: u32,
    /// POST each publication and correction of a result as JSON to this
    /// http:// address (repeatable; in the environment, comma-separated).
    /// Delivered at least once, retried with backoff; see docs/EXCHANGE.md.
    #[arg(long = "exchange-webhook", env = "OPENDRAW_EXCHANGE_WEBHOOK", value_delimiter = ',')]
    exchange_webhooks: Vec<String>,
    /// Sign each exchange event with HMAC-SHA256 of its body under this
    /// secret (header `Opendraw-Signature: sha256=<hex>`). Prefer the
    /// environment or the config file: a flag shows in the process list.
    #[arg(long, env = "OPENDRAW_EXCHANGE_SECRET", requires = "exchange_webhooks", hide_env_values = true)]
    exchange_secret: Option<String>,
    /// A drand relay, as an http:// address (an https:// relay such as
    /// api.drand.sh through a local proxy), that a task committed to a drand
    /// round may fetch its round from at the draw (repeatable, asked in
    /// order; in the environment, comma-separated). Every fetched round is
    /// checked against the committed chain's key. Without it, the round is
    /// pasted.
    #[arg(long = "drand-url", env = "OPENDRAW_DRAND_URL", value_delimiter = ',')]
    drand_urls: Vec<String>,
    /// The public log's name (C2SP origin), e.g. `opendraw.example.gov.cn/log`:
    /// the first line of each checkpoint, and the name its key and witnesses
    /// know it by. Read at the first start only, when the log's key is made
    /// (`opendraw.local/` and 8 random hex digits when not given); a later
    /// start with another name is refused.
    #[arg(long, env = "OPENDRAW_LOG_ORIGIN")]
    log_origin: Option<String>,
    /// A witness asked to cosign each new checkpoint of the public log, as
    /// `VKEY@URL`: its verifier key (`name+id+base64`, as `opendraw witness`
    /// prints it) and its http:// address (repeatable; in the environment,
    /// comma-separated). Without one, checkpoints are signed by the log alone.
    #[arg(long = "witness", env = "OPENDRAW_WITNESS", value_delimiter = ',')]
    witnesses: Vec<String>,
    /// With --drand-url, do not draw a task committed to a drand round by
    /// itself when the round is due: a supervisor draws it.
    #[arg(long, env = "OPENDRAW_NO_AUTO_DRAND_DRAW")]
    no_auto_drand_draw: bool,
}

impl ServeArgs {
    pub fn config_file(&self) -> Option<&std::path::Path> {
        self.config.as_deref()
    }
}

/// How often the server looks whether the day's reminder summary is due.
const REMINDER_LOOK_EVERY: Duration = Duration::from_secs(60);
/// How often the server looks for exchange events due for delivery.
const EXCHANGE_LOOK_EVERY: Duration = Duration::from_secs(2);
/// How often the server looks for drand tasks whose round is due (a
/// quicknet round comes every 3 seconds; a draw a few seconds late is
/// still the same draw).
const DRAND_LOOK_EVERY: Duration = Duration::from_secs(5);

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    super::init_tracing(args.log_format);
    let offset = crate::domain::calendar::configure_offset().map_err(anyhow::Error::msg)?;
    tracing::info!(%offset, "days are counted at this offset from UTC");
    let runtime = tokio::runtime::Runtime::new()?;
    let outcome = runtime.block_on(async move {
        let mut store = args.database.open().await?;
        if let Some(url) = &args.read_database_url {
            store = store.with_read_replica(url).await.context("cannot open the read replica")?;
        }
        let mut service = Service::new(store);
        if let Some(dir) = args.attachments_dir {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create the attachments directory {}", dir.display()))?;
            tracing::info!("attachments are kept as files in {}", dir.display());
            service = service.with_attachments_dir(dir);
        }
        if !args.exchange_webhooks.is_empty() {
            let webhooks = ExchangeWebhooks::new(&args.exchange_webhooks, args.exchange_secret.as_deref())
                .map_err(anyhow::Error::msg)?;
            service = service.with_exchange(webhooks);
        }
        if !args.drand_urls.is_empty() {
            let relays = DrandRelays::new(&args.drand_urls)
                .map_err(anyhow::Error::msg)?
                .drawing_automatically(!args.no_auto_drand_draw);
            tracing::info!("a committed drand round may be fetched from {} relay(s)", relays.len());
            service = service.with_drand_relays(relays);
        }
        service = service.with_log_origin(args.log_origin.clone());
        if !args.witnesses.is_empty() {
            let witnesses = Witnesses::new(&args.witnesses).map_err(anyhow::Error::msg)?;
            tracing::info!("each new checkpoint is sent to {} witness(es) to cosign", witnesses.len());
            service = service.with_witnesses(witnesses);
        }
        let key =
            service.log_key().await.map_err(|error| anyhow::anyhow!("the public log's key: {error}"))?;
        tracing::info!("the public log {} signs its checkpoints with {}", key.origin(), key.verifier_key());
        let webhook = args
            .reminder_webhook
            .as_deref()
            .map(|url| ReminderWebhook::new(url, args.reminder_hour))
            .transpose()
            .map_err(anyhow::Error::msg)?;
        if args.demo && !demo::load_if_empty(&service).await? {
            tracing::info!("the database already holds data; the demo was not loaded again");
        }
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("cannot listen on {}", args.bind))?;
        let address = listener.local_addr()?;
        let site = match args.public_dir {
            None => Site::BuiltIn,
            Some(dir) if dir.is_dir() => Site::Directory(dir),
            Some(dir) => {
                tracing::warn!("{} is not a directory: the public site is not served", dir.display());
                Site::None
            }
        };
        let tls = args.tls_cert.zip(args.tls_key).map(|(cert, key)| tls::TlsFiles { cert, key });
        let scheme = if tls.is_some() { "https" } else { "http" };
        tracing::info!(
            "opendraw listening on {scheme}://{address} (database: {}, public site: {})",
            args.database.shown(),
            match &site {
                Site::BuiltIn => "built in".to_owned(),
                Site::Directory(dir) => dir.display().to_string(),
                Site::None => "none".to_owned(),
            }
        );
        if !matches!(site, Site::None) {
            tracing::info!(
                "public site at {scheme}://{address}/, staff console at {scheme}://{address}/console/"
            );
        }
        tokio::spawn(reveal_at_embargo(service.clone()));
        tokio::spawn(service.clone().keep_log_integrated(crate::service::tlog::INTEGRATE_EVERY));
        if !args.drand_urls.is_empty() && !args.no_auto_drand_draw {
            tracing::info!("a task committed to a drand round is drawn by the server once its round is due");
            tokio::spawn(service.clone().run_drand_draws(DRAND_LOOK_EVERY));
        }
        if let Some(webhook) = webhook {
            tracing::info!("a reminder summary is sent daily from {}:00", args.reminder_hour);
            tokio::spawn(webhook.run(service.clone(), REMINDER_LOOK_EVERY));
        }
        if !args.exchange_webhooks.is_empty() {
            tracing::info!(
                "publication events are sent to {} exchange webhook(s){}",
                args.exchange_webhooks.len(),
                if args.exchange_secret.is_some() { ", signed" } else { ", unsigned" }
            );
            tokio::spawn(service.clone().run_exchange_outbox(EXCHANGE_LOOK_EVERY));
        }
        service.index_pools_later();
        let limits = Limits {
            import_bytes: args.max_import_bytes,
            json_bytes: args.max_json_bytes,
            auth_failures_per_minute: args.auth_failures_per_minute,
            imports: limits::ImportPermits::new(args.max_concurrent_imports),
            concurrent_downloads: args.max_concurrent_downloads,
            // Behind the built-in TLS every client is on HTTPS.
            secure_cookies: args.secure_cookies || tls.is_some(),
        };
        let metrics = Arc::new(Metrics::default());
        if let Some(address) = args.metrics_address {
            serve_metrics(address, http::metrics::router(Arc::clone(&metrics), service.clone())).await?;
        }
        let app = http::router_with_metrics(service, site, limits, metrics);
        if let Some(files) = tls {
            tls::serve(listener, app, files, shutdown()).await?;
            tracing::info!("opendraw stopped");
            return Ok(ExitCode::SUCCESS);
        }
        // The peer address is the client whose failed authentications count.
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        // Streamed answers (bundles, CSV, the log) end with a small write
        // after larger ones; with Nagle's algorithm on, it waited for the
        // client's delayed acknowledgement, about 40 ms an answer.
        let listener = listener.tap_io(|connection| {
            if let Err(error) = connection.set_nodelay(true) {
                tracing::debug!(%error, "TCP_NODELAY could not be set on a connection");
            }
        });
        // On SIGTERM or ^C: stop accepting, let the requests in flight finish
        // (a draw commits whole or not at all either way), but no longer
        // than tls::DRAIN, so that a stuck client cannot hold a restart.
        let stopping = Arc::new(tokio::sync::Notify::new());
        let stop = Arc::clone(&stopping);
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            shutdown().await;
            tracing::info!("stopping: no new connections; finishing the requests in flight");
            stop.notify_one();
        });
        let drained = async {
            stopping.notified().await;
            tokio::time::sleep(tls::DRAIN).await;
        };
        tokio::select! {
            served = server => served?,
            () = drained => tracing::warn!(
                "requests still running {} s after the stop was asked were cut off",
                tls::DRAIN.as_secs()
            ),
        }
        tracing::info!("opendraw stopped");
        Ok(ExitCode::SUCCESS)
    });
    // Work cut off at the drain's end (a blocking task, a background loop)
    // is not waited for: an unfinished transaction rolls back with the
    // process.
    runtime.shutdown_timeout(Duration::from_secs(1));
    outcome
}

/// Serves the metrics router on `address`, in the background.
async fn serve_metrics(address: SocketAddr, router: axum::Router) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address} for the metrics"))?;
    tracing::info!("metrics at http://{}/metrics", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
    Ok(())
}

/// Reveals drawn tasks whose embargo date has come, once a minute.
async fn reveal_at_embargo(service: Service) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match service.reveal_due().await {
            Ok(revealed) if !revealed.is_empty() => tracing::info!(?revealed, "revealed at the embargo date"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "revealing tasks at their embargo date failed"),
        }
    }
}

pub(super) async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        let mut signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler");
        signal.recv().await;
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}
