//! The `opendraw` command line.

mod admin;
mod backup;
mod caps;
mod config;
mod draw;
mod log;
mod serve;
mod tls;
mod verify;
mod witness;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::storage::{Store, StoreResult};

#[derive(Debug, Parser)]
#[command(
    name = "opendraw",
    version,
    about = "Verifiable random selection of inspection targets and inspectors"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Draw(draw::DrawArgs),
    Verify(verify::VerifyArgs),
    Caps(caps::CapsArgs),
    Serve(Box<serve::ServeArgs>),
    Demo(admin::DemoArgs),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(admin::UserCommand),
    Import(admin::ImportArgs),
    Backup(backup::BackupArgs),
    Restore(backup::RestoreArgs),
    /// The public log.
    #[command(subcommand)]
    Log(log::LogCommand),
    Witness(witness::WitnessArgs),
}

/// Exit codes: 0 done, 1 verification failed, 2 bad input, 3 the draw
/// failed (and the failure was recorded).
pub fn run() -> ExitCode {
    let cli = match parse(std::env::args_os().collect()) {
        Ok(cli) => cli,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let outcome = match cli.command {
        Command::Draw(args) => draw::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Caps(args) => caps::run(args),
        Command::Serve(args) => serve::run(*args),
        Command::Demo(args) => admin::demo(args),
        Command::User(command) => admin::user(command),
        Command::Import(args) => admin::import(args),
        Command::Backup(args) => backup::backup(args),
        Command::Restore(args) => backup::restore(args),
        Command::Log(command) => log::run(command),
        Command::Witness(args) => witness::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// The command line, with `serve --config FILE`'s settings as the flags'
/// defaults: parsed once to find the file, and again with its settings.
fn parse(args: Vec<std::ffi::OsString>) -> anyhow::Result<Cli> {
    let cli = Cli::parse_from(&args);
    let Command::Serve(serve) = &cli.command else { return Ok(cli) };
    let Some(file) = serve.config_file() else { return Ok(cli) };
    let command = config::serve_defaults_from(Cli::command(), file)?;
    let matches = command.get_matches_from(args);
    Ok(Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit()))
}

/// The database: a SQLite file (created if missing) or a PostgreSQL URL.
#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// `opendraw.db` (SQLite, the default), `sqlite:PATH`, or
    /// `postgres://user@host:port/database`.
    #[arg(long, env = "OPENDRAW_DATABASE_URL", default_value = "opendraw.db")]
    database_url: String,
}

impl DatabaseArgs {
    pub async fn open(&self) -> StoreResult<Store> {
        Store::open(&self.database_url).await
    }

    /// The URL as given.
    pub fn url(&self) -> &str {
        &self.database_url
    }

    /// The URL without its password, for logs and messages.
    pub fn shown(&self) -> String {
        Self::redact(&self.database_url)
    }

    pub fn redact(url: &str) -> String {
        let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
        let Some((credentials, host)) = rest.split_once('@') else { return url.to_owned() };
        match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per line (time, level, target, message and the
    /// event's fields), for a log collector.
    Json,
}

/// Logs to stderr, at the level `RUST_LOG` asks for (default: info); as
/// text in colour only when stderr is a terminal, so that a log file or
/// journal gets plain text; or as JSON lines.
pub fn init_tracing(format: LogFormat) {
    use std::io::IsTerminal as _;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder.json().with_current_span(false).try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_a_log_line() {
        assert_eq!(DatabaseArgs::redact("postgres://app:s3cret@db:5432/od"), "postgres://app:***@db:5432/od");
        assert_eq!(DatabaseArgs::redact("postgres://app@db/od"), "postgres://app@db/od");
        assert_eq!(DatabaseArgs::redact("opendraw.db"), "opendraw.db");
    }
}
