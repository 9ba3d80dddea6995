//! Operator commands on a database: `demo`, `user add`, `import`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::DatabaseArgs;
use crate::demo;
use crate::domain::account::{Role, User};
use crate::domain::records::{CalendarRecord, InspectorRecord, ItemRecord, RecusalRecord, TargetRecord};
use crate::service::Service;

/// Load the demo into an empty database.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    database: DatabaseArgs,
}

pub fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    tokio::runtime::Runtime::new()?.block_on(async move {
        let service = Service::new(args.database.open().await?);
        if !demo::load_if_empty(&service).await? {
            bail!("{} already holds data; the demo loads into an empty database only", args.database.shown());
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create an account and print its token (shown only this once).
    Add(UserAddArgs),
}

#[derive(Debug, clap::Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// admin, supervisor or inspector.
    #[arg(long)]
    role: String,
    /// The department a supervisor works for.
    #[arg(long)]
    department: Option<String>,
    /// The inspector-directory id of an inspector account.
    #[arg(long)]
    inspector: Option<String>,
    /// Read the account's password (to sign in with) from the first line
    /// of standard input. Without it, a person at a terminal (stdin and
    /// stdout) is asked for one; otherwise the account has its token only.
    #[arg(long)]
    password_stdin: bool,
    /// The account's name.
    name: String,
}

/// The password for a new account: from stdin's first line with
/// `--password-stdin`, else asked for (twice) when stdin and stdout are a
/// terminal, where an empty answer means none.
fn read_password(from_stdin: bool) -> anyhow::Result<Option<String>> {
    use std::io::{BufRead as _, IsTerminal as _};
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
        let password = line.trim_end_matches(['\n', '\r']).to_owned();
        if password.is_empty() {
            bail!("--password-stdin was given, but the first line of stdin is empty");
        }
        return Ok(Some(password));
    }
    // Asked only of a person at a terminal: a script that captures the
    // printed token (`token=$(opendraw user add …)`) gets it as before,
    // without a prompt waiting on the terminal.
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Ok(None);
    }
    let password = rpassword::prompt_password("password to sign in with (empty: token only): ")?;
    if password.is_empty() {
        return Ok(None);
    }
    if rpassword::prompt_password("the same password again: ")? != password {
        bail!("the two passwords differ; nothing was created");
    }
    Ok(Some(password))
}

pub fn user(command: UserCommand) -> anyhow::Result<ExitCode> {
    let UserCommand::Add(args) = command;
    let Some(role) = Role::parse(&args.role) else {
        bail!("--role must be admin, supervisor or inspector, not '{}'", args.role);
    };
    let password = read_password(args.password_stdin)?;
    tokio::runtime::Runtime::new()?.block_on(async move {
        let service = Service::new(args.database.open().await?);
        let issued = service
            .add_user_with_password(
                None,
                &args.name,
                role,
                args.department.as_deref(),
                args.inspector.as_deref(),
                password.as_deref(),
            )
            .await?;
        let signs_in = if password.is_some() { ", which signs in with its password" } else { "" };
        eprintln!(
            "created {} account '{}' (id {}{signs_in}); its token, shown only now:",
            role.as_str(),
            issued.user.name,
            issued.user.id
        );
        println!("{}", issued.token);
        Ok(ExitCode::SUCCESS)
    })
}

/// Import a directory from a CSV file (all or nothing, upsert by id).
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// items, targets, inspectors, recusals or calendar (holidays and
    /// make-up working days: date,kind,name).
    kind: String,
    /// The CSV file (header row; see README for the columns).
    file: PathBuf,
    /// Import as a supervisor of this department: rows are added for it,
    /// and only rows it keeps are replaced.
    #[arg(long, default_value = "market")]
    department: String,
}

pub fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let file = std::fs::File::open(&args.file).with_context(|| args.file.display().to_string())?;
    let size = file.metadata()?.len();
    let bar = indicatif::ProgressBar::new(size).with_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} {elapsed}")
            .expect("a valid template"),
    );
    bar.set_message(format!("importing {}", args.kind));
    let reader = bar.wrap_read(std::io::BufReader::with_capacity(1 << 20, file));
    let name = args.file.display().to_string();
    let operator = User {
        id: 0,
        name: "command line".into(),
        role: Role::Supervisor,
        department: Some(args.department.clone()),
        inspector_id: None,
    };
    tokio::runtime::Runtime::new()?.block_on(async move {
        let service = Service::new(args.database.open().await?);
        let summary = match args.kind.as_str() {
            "items" => service.import_on_server::<ItemRecord>(&operator, name, reader).await,
            "targets" => service.import_on_server::<TargetRecord>(&operator, name, reader).await,
            "inspectors" => service.import_on_server::<InspectorRecord>(&operator, name, reader).await,
            "recusals" => service.import_on_server::<RecusalRecord>(&operator, name, reader).await,
            "calendar" => service.import_on_server::<CalendarRecord>(&operator, name, reader).await,
            other => bail!("KIND must be items, targets, inspectors, recusals or calendar, not '{other}'"),
        };
        bar.finish_and_clear();
        let summary = summary?;
        println!("imported {} {} (nothing else was changed)", summary.rows, summary.kind);
        Ok(ExitCode::SUCCESS)
    })
}
