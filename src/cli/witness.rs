//! `opendraw witness`: run a witness of transparency logs (README,
//! "Running a witness"); `opendraw witness key` prints its verifier key.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use crate::witness::{Witness, WitnessKey, router};

/// Cosign the checkpoints of transparency logs (C2SP tlog-witness): each
/// only if it extends the last one cosigned for its log.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct WitnessArgs {
    #[command(subcommand)]
    command: Option<WitnessCommand>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7380")]
    bind: SocketAddr,
    /// Directory of the witness's key and of the last checkpoint cosigned
    /// for each log; made at the first start.
    #[arg(long, required = true)]
    state: Option<PathBuf>,
    /// The witness's name, e.g. `witness.example.org/w1`: its key's name in
    /// every cosignature.
    #[arg(long, required = true)]
    name: Option<String>,
    /// A log to witness, by its signed-note verifier key `origin+id+base64`
    /// (the key name is the log's origin). Repeat for more logs, or for a
    /// log's second key.
    #[arg(long = "log", value_name = "VKEY", required = true)]
    logs: Vec<String>,
}

#[derive(Debug, clap::Subcommand)]
enum WitnessCommand {
    /// Print the witness's verifier key, `name+id+base64(0x04 || key)`.
    Key {
        #[arg(long)]
        state: PathBuf,
    },
}

pub fn run(args: WitnessArgs) -> anyhow::Result<ExitCode> {
    if let Some(WitnessCommand::Key { state }) = args.command {
        println!("{}", WitnessKey::load(&state)?.verifier_key());
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(state), Some(name)) = (args.state, args.name) else {
        anyhow::bail!("--state and --name are required");
    };
    super::init_tracing(super::LogFormat::Text);
    let (key, new) = WitnessKey::load_or_create(&state, &name)?;
    if new {
        println!("{}", key.verifier_key());
        tracing::info!("made the witness key in {}", state.display());
    }
    let witness = Arc::new(Witness::open(key, state, &args.logs)?);
    tokio::runtime::Runtime::new()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("cannot listen on {}", args.bind))?;
        let mut origins: Vec<&str> = witness.origins().collect();
        origins.sort_unstable();
        tracing::info!(
            "witness listening on http://{} (verifier key {}; logs: {})",
            listener.local_addr()?,
            witness.verifier_key(),
            origins.join(", ")
        );
        axum::serve(listener, router(Arc::clone(&witness)))
            .with_graceful_shutdown(super::serve::shutdown())
            .await?;
        tracing::info!("witness stopped");
        Ok(ExitCode::SUCCESS)
    })
}
