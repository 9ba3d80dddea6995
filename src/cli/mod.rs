//! The `opendraw` command line.

mod draw;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

/// Exit codes: 0 done, 1 verification failed, 2 bad input, 3 the draw
/// failed (and the failure was recorded).
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Draw(args) => draw::run(args),
        Command::Verify(args) => verify::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
