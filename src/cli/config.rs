//! `opendraw serve --config FILE`: the serve flags from a TOML file, one
//! key per long flag (`database-url = "…"`, `bind = "…"`, `demo = true`,
//! `max-import-bytes = 10000000`, and for a repeatable flag a list:
//! `exchange-webhook = ["http://…", "http://…"]`). A flag given on the command line or
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
    let known: Vec<(String, String, bool)> = serve
        .get_arguments()
        .filter_map(|arg| {
            let repeatable = matches!(arg.get_action(), clap::ArgAction::Append);
            Some((arg.get_long()?.to_owned(), arg.get_id().to_string(), repeatable))
        })
        .filter(|(long, _, _)| !matches!(long.as_str(), "config" | "help"))
        .collect();
    let mut defaults = Vec::new();
    for (key, value) in table {
        let Some((_, id, repeatable)) = known.iter().find(|(long, _, _)| *long == key) else {
            let keys = known.iter().map(|(long, _, _)| long.as_str()).collect::<Vec<_>>().join(", ");
            bail!("{}: `{key}` is not a setting of opendraw serve; the settings are: {keys}", file.display());
        };
        let values = match value {
            toml::Value::Array(_) if !repeatable => {
                bail!("{}: `{key}` takes one value, not a list", file.display())
            }
            toml::Value::Array(list) => {
                list.into_iter().map(|item| scalar(file, &key, item)).collect::<anyhow::Result<Vec<_>>>()?
            }
            value => vec![scalar(file, &key, value)?],
        };
        defaults.push((id.clone(), values));
    }
    Ok(command.mut_subcommand("serve", |mut serve| {
        for (id, values) in defaults {
            // clap keeps defaults as `&'static str`; the few settings of one
            // file, read once at start, live as long as the process anyway.
            let values: Vec<&'static str> =
                values.into_iter().map(|value| &*Box::leak(value.into_boxed_str())).collect();
            serve = serve.mut_arg(id, |arg| arg.default_values(values));
        }
        serve
    }))
}

/// A setting's value as the flag's text.
fn scalar(file: &Path, key: &str, value: toml::Value) -> anyhow::Result<String> {
    Ok(match value {
        toml::Value::String(text) => text,
        toml::Value::Integer(number) => number.to_string(),
        toml::Value::Boolean(flag) => flag.to_string(),
        other => bail!(
            "{}: `{key}` must be a string, a whole number, true/false or a list of them, not {}",
            file.display(),
            other.type_str()
        ),
    })
}
