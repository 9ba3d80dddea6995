//! `opendraw serve --config FILE`: the serve flags from a TOML file, one
//! key per long flag (`database-url = "…"`, `bind = "…"`, `demo = true`,
//! `max-import-bytes = 10000000`). A flag given on the command line or
//! through its environment variable overrides the file, and the file
//! overrides the built-in defaults: the file's values become the flags'
//! defaults. A key that is no flag of `serve` is refused, naming it, so a
//! misspelt setting is never silently ignored.

use std::path::Path;

use anyhow::{Context, bail};
use clap::Command;

/// `command` with the defaults of its `serve` subcommand taken from `file`.
pub fn serve_defaults_from(command: Command, file: &Path) -> anyhow::Result<Command> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let table: toml::Table = text.parse().with_context(|| format!("{} is not TOML", file.display()))?;
    let serve = command.find_subcommand("serve").context("the serve command")?;
    let known: Vec<(String, String)> = serve
        .get_arguments()
        .filter_map(|arg| Some((arg.get_long()?.to_owned(), arg.get_id().to_string())))
        .filter(|(long, _)| !matches!(long.as_str(), "config" | "help"))
        .collect();
    let mut defaults = Vec::new();
    for (key, value) in table {
        let Some((_, id)) = known.iter().find(|(long, _)| *long == key) else {
            let keys = known.iter().map(|(long, _)| long.as_str()).collect::<Vec<_>>().join(", ");
            bail!("{}: `{key}` is not a setting of opendraw serve; the settings are: {keys}", file.display());
        };
        let value = match value {
            toml::Value::String(text) => text,
            toml::Value::Integer(number) => number.to_string(),
            toml::Value::Boolean(flag) => flag.to_string(),
            other => bail!(
                "{}: `{key}` must be a string, a whole number or true/false, not {}",
                file.display(),
                other.type_str()
            ),
        };
        defaults.push((id.clone(), value));
    }
    Ok(command.mut_subcommand("serve", |mut serve| {
        for (id, value) in defaults {
            // clap keeps defaults as `&'static str`; the few settings of one
            // file, read once at start, live as long as the process anyway.
            let value: &'static str = Box::leak(value.into_boxed_str());
            serve = serve.mut_arg(id, |arg| arg.default_value(value));
        }
        serve
    }))
}
