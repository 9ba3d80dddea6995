//! A task's place in its lifecycle: draft → committed → drawn → revealed,
//! or abandoned from any state before revealed.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    /// Being written; not public.
    Draft,
    /// The pool is frozen and its commitment published.
    Committed,
    /// Drawn; the selection is sealed until the reveal.
    Drawn,
    /// The selection and the seed are public.
    Revealed,
    /// Given up, with a reason, before the reveal.
    Abandoned,
}

impl TaskState {
    pub const ALL: [TaskState; 5] =
        [TaskState::Draft, TaskState::Committed, TaskState::Drawn, TaskState::Revealed, TaskState::Abandoned];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Draft => "draft",
            TaskState::Committed => "committed",
            TaskState::Drawn => "drawn",
            TaskState::Revealed => "revealed",
            TaskState::Abandoned => "abandoned",
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskState {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        TaskState::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| format!("'{text}' is not a task state"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_names() {
        for state in TaskState::ALL {
            assert_eq!(state.as_str().parse::<TaskState>(), Ok(state));
            assert_eq!(serde_json::to_string(&state).unwrap(), format!("\"{state}\""));
        }
        assert!("sealed".parse::<TaskState>().unwrap_err().contains("sealed"));
    }
}
