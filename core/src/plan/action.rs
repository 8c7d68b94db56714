//! The plan syntax: `KIND:ROOT[@CHECKPOINT][=CHILD,…]`.

use std::fmt;
use std::str::FromStr;

/// An action an operator is about to take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `clone:ROOT@CHECKPOINT` (a single-source clone from that checkpoint, by id or name) or
    /// `clone:ROOT` (from the latest state, through an ephemeral checkpoint).
    Clone {
        /// The source database.
        root: String,
        /// The checkpoint id or name; `None` for latest.
        checkpoint: Option<String>,
    },
    /// `open:ROOT`: a writer open.
    Open {
        /// The database.
        root: String,
    },
    /// `read:ROOT`: reading every key of the latest state.
    Read {
        /// The database.
        root: String,
    },
    /// `wipe-wal:ROOT`: deleting the database's WAL objects.
    WipeWal {
        /// The database.
        root: String,
    },
    /// `delete-checkpoint:ROOT@ID`.
    DeleteCheckpoint {
        /// The database.
        root: String,
        /// The checkpoint id or name.
        checkpoint: String,
    },
    /// `delete-root:ROOT`: `Admin::delete_db`.
    DeleteRoot {
        /// The database.
        root: String,
    },
    /// `gc:ROOT`: one run of SlateDB's garbage collector at `--now` with `--min-age`.
    Gc {
        /// The database.
        root: String,
    },
    /// `split:PARENT@CHECKPOINT=CHILD1,CHILD2,…`: a shard split, cloning each child from the
    /// parent's checkpoint.
    Split {
        /// The parent database.
        root: String,
        /// The checkpoint id or name.
        checkpoint: String,
        /// The child roots.
        children: Vec<String>,
    },
}

impl Action {
    /// The root the action is about.
    pub fn root(&self) -> &str {
        match self {
            Action::Clone { root, .. }
            | Action::Open { root }
            | Action::Read { root }
            | Action::WipeWal { root }
            | Action::DeleteCheckpoint { root, .. }
            | Action::DeleteRoot { root }
            | Action::Gc { root }
            | Action::Split { root, .. } => root,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Clone {
                root,
                checkpoint: Some(cp),
            } => write!(f, "clone:{root}@{cp}"),
            Action::Clone {
                root,
                checkpoint: None,
            } => write!(f, "clone:{root}"),
            Action::Open { root } => write!(f, "open:{root}"),
            Action::Read { root } => write!(f, "read:{root}"),
            Action::WipeWal { root } => write!(f, "wipe-wal:{root}"),
            Action::DeleteCheckpoint { root, checkpoint } => {
                write!(f, "delete-checkpoint:{root}@{checkpoint}")
            }
            Action::DeleteRoot { root } => write!(f, "delete-root:{root}"),
            Action::Gc { root } => write!(f, "gc:{root}"),
            Action::Split {
                root,
                checkpoint,
                children,
            } => write!(f, "split:{root}@{checkpoint}={}", children.join(",")),
        }
    }
}

/// Kinds accepted in the plan syntax, for messages.
pub const KINDS: &[&str] = &[
    "clone",
    "open",
    "read",
    "wipe-wal",
    "delete-checkpoint",
    "delete-root",
    "gc",
    "split",
];

impl FromStr for Action {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (kind, target) = text.split_once(':').ok_or_else(|| {
            format!(
                "plan `{text}` is not KIND:ROOT[@CHECKPOINT] (kinds: {})",
                KINDS.join(", ")
            )
        })?;
        if kind == "split" {
            let (source, children) = target.split_once('=').ok_or_else(|| {
                format!("plan `{text}`: split needs PARENT@CHECKPOINT=CHILD1,CHILD2")
            })?;
            let (root, checkpoint) = source.rsplit_once('@').ok_or_else(|| {
                format!("plan `{text}`: split needs PARENT@CHECKPOINT=CHILD1,CHILD2")
            })?;
            let children: Vec<String> = children
                .split(',')
                .map(|c| c.trim().trim_matches('/').to_string())
                .filter(|c| !c.is_empty())
                .collect();
            if children.is_empty() {
                return Err(format!(
                    "plan `{text}`: split needs at least one child root"
                ));
            }
            return Ok(Action::Split {
                root: root.trim_matches('/').to_string(),
                checkpoint: checkpoint.to_string(),
                children,
            });
        }
        let (root, checkpoint) = match target.rsplit_once('@') {
            Some((root, checkpoint)) => (root, Some(checkpoint.to_string())),
            None => (target, None),
        };
        let root = root.trim_matches('/').to_string();
        let no_checkpoint = |action: Action| match &checkpoint {
            Some(_) => Err(format!("plan `{text}`: `{kind}` takes no @CHECKPOINT")),
            None => Ok(action),
        };
        match kind {
            "clone" => Ok(Action::Clone { root, checkpoint }),
            "open" => no_checkpoint(Action::Open { root }),
            "read" => no_checkpoint(Action::Read { root }),
            "wipe-wal" => no_checkpoint(Action::WipeWal { root }),
            "delete-root" => no_checkpoint(Action::DeleteRoot { root }),
            "delete-checkpoint" => match checkpoint {
                Some(checkpoint) => Ok(Action::DeleteCheckpoint { root, checkpoint }),
                None => Err(format!(
                    "plan `{text}`: delete-checkpoint needs ROOT@CHECKPOINT"
                )),
            },
            "gc" => no_checkpoint(Action::Gc { root }),
            other => Err(format!(
                "plan `{text}`: unknown kind `{other}` (kinds: {})",
                KINDS.join(", ")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_round_trip() {
        for text in [
            "clone:shard@split",
            "clone:a/b",
            "open:db",
            "read:db",
            "wipe-wal:db",
            "delete-checkpoint:p@f0f53d3d-29dd-44e1-85e7-89ada7f8696e",
            "delete-root:p",
            "gc:p",
            "split:shard@split=a,b",
        ] {
            let action: Action = text.parse().unwrap();
            assert_eq!(action.to_string(), text);
        }
        assert!("open:db@x".parse::<Action>().is_err());
        assert!("frobnicate:db"
            .parse::<Action>()
            .unwrap_err()
            .contains("kinds: clone"));
        assert!("db".parse::<Action>().is_err());
    }
}
