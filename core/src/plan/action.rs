//! The plan syntax: `KIND:ROOT[@CHECKPOINT][=CHILD,…]`.

use crate::printable::printable;
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

/// How a root is written in a plan: the database at the top of the store (root `""`) is `/`.
pub(crate) fn shown(root: &str) -> &str {
    if root.is_empty() {
        "/"
    } else {
        root
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Clone {
                root,
                checkpoint: Some(cp),
            } => write!(f, "clone:{}@{cp}", shown(root)),
            Action::Clone {
                root,
                checkpoint: None,
            } => write!(f, "clone:{}", shown(root)),
            Action::Open { root } => write!(f, "open:{}", shown(root)),
            Action::Read { root } => write!(f, "read:{}", shown(root)),
            Action::WipeWal { root } => write!(f, "wipe-wal:{}", shown(root)),
            Action::DeleteCheckpoint { root, checkpoint } => {
                write!(f, "delete-checkpoint:{}@{checkpoint}", shown(root))
            }
            Action::DeleteRoot { root } => write!(f, "delete-root:{}", shown(root)),
            Action::Gc { root } => write!(f, "gc:{}", shown(root)),
            Action::Split {
                root,
                checkpoint,
                children,
            } => write!(
                f,
                "split:{}@{checkpoint}={}",
                shown(root),
                children
                    .iter()
                    .map(|child| shown(child))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
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

/// Every accepted form, for messages that refuse a plan.
pub const PLAN_SYNTAX: &str = "clone:ROOT[@CHECKPOINT], open:ROOT, read:ROOT, wipe-wal:ROOT, \
delete-checkpoint:ROOT@CHECKPOINT, delete-root:ROOT, gc:ROOT, split:PARENT@CHECKPOINT=CHILD1,CHILD2,… \
(ROOT is the database's path in the store, `/` for one at the top; CHECKPOINT a checkpoint id or name)";

/// A root as written in a plan: `/` is the top of the store, anything else loses its outer
/// slashes; an empty root is refused, since an empty field is far likelier a typo than a
/// database at the top of the store.
fn plan_root(text: &str, field: &str, written: &str) -> Result<String, String> {
    if written.trim().is_empty() {
        return Err(refusal(text, &format!("the {field} is empty")));
    }
    if written != written.trim() {
        return Err(refusal(
            text,
            &format!("the {field} `{written}` has spaces around it"),
        ));
    }
    if written.chars().any(char::is_control) {
        return Err(refusal(
            text,
            &format!("the {field} `{written}` holds a control character"),
        ));
    }
    if written.chars().all(|c| c == '/') {
        return Ok(String::new());
    }
    let root = written.trim_matches('/');
    // `/ db /` would print back as ` db `, which reads as another plan.
    if root != root.trim() {
        return Err(refusal(
            text,
            &format!("the {field} `{written}` has spaces inside its outer slashes"),
        ));
    }
    Ok(root.to_string())
}

fn plan_checkpoint(text: &str, written: &str) -> Result<String, String> {
    if written.trim().is_empty() {
        return Err(refusal(text, "the CHECKPOINT after `@` is empty"));
    }
    if written.chars().any(char::is_control) {
        return Err(refusal(
            text,
            &format!("the CHECKPOINT `{written}` holds a control character"),
        ));
    }
    Ok(written.to_string())
}

fn refusal(text: &str, problem: &str) -> String {
    let (text, problem) = (printable(text), printable(problem));
    format!("plan `{text}`: {problem}; accepted: {PLAN_SYNTAX}")
}

impl FromStr for Action {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (kind, target) = text
            .split_once(':')
            .ok_or_else(|| refusal(text, "no `KIND:` in front"))?;
        if !KINDS.contains(&kind) {
            return Err(refusal(
                text,
                &format!("unknown kind `{kind}` (kinds: {})", KINDS.join(", ")),
            ));
        }
        if kind == "split" {
            let (source, children) = target.split_once('=').ok_or_else(|| {
                refusal(text, "split needs `=CHILD1,CHILD2,…` after the checkpoint")
            })?;
            let (root, checkpoint) = source
                .rsplit_once('@')
                .ok_or_else(|| refusal(text, "split needs `PARENT@CHECKPOINT` before `=`"))?;
            let root = plan_root(text, "PARENT", root)?;
            let checkpoint = plan_checkpoint(text, checkpoint)?;
            let mut seen = Vec::new();
            for (index, child) in children.split(',').enumerate() {
                let field = format!("child {}", index + 1);
                if child.contains(['@', '=']) {
                    return Err(refusal(
                        text,
                        &format!("{field} `{child}` holds `@` or `=`; children are roots, separated by commas"),
                    ));
                }
                let child = plan_root(text, &field, child.trim())?;
                if child == root {
                    return Err(refusal(
                        text,
                        &format!("{field} is the parent `{}` itself", shown(&root)),
                    ));
                }
                if seen.contains(&child) {
                    return Err(refusal(
                        text,
                        &format!("{field} `{}` is named twice", shown(&child)),
                    ));
                }
                seen.push(child);
            }
            return Ok(Action::Split {
                root,
                checkpoint,
                children: seen,
            });
        }
        let (root, checkpoint) = match target.rsplit_once('@') {
            Some((root, checkpoint)) => (root, Some(plan_checkpoint(text, checkpoint)?)),
            None => (target, None),
        };
        let root = plan_root(text, "ROOT", root)?;
        let no_checkpoint = |action: Action| match &checkpoint {
            Some(_) => Err(refusal(text, &format!("`{kind}` takes no @CHECKPOINT"))),
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
                None => Err(refusal(text, "delete-checkpoint needs ROOT@CHECKPOINT")),
            },
            _ => no_checkpoint(Action::Gc { root }),
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
            "clone:/@cp",
            // A child at the top of the store (found by the `plan` fuzz target: it printed
            // as an empty child).
            "split:shard@split=a,/",
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

    #[test]
    fn the_top_of_the_store_is_written_slash() {
        let action: Action = "clone:/@cp".parse().unwrap();
        assert_eq!(
            action,
            Action::Clone {
                root: String::new(),
                checkpoint: Some("cp".into())
            }
        );
        assert_eq!(action.to_string(), "clone:/@cp");
        assert_eq!("open:/".parse::<Action>().unwrap().to_string(), "open:/");
    }

    #[test]
    fn malformed_plans_are_refused_with_the_accepted_syntax() {
        for (text, problem) in [
            ("clone:", "the ROOT is empty"),
            ("clone:@cp", "the ROOT is empty"),
            ("open: ", "the ROOT is empty"),
            ("clone:shard@", "the CHECKPOINT after `@` is empty"),
            ("delete-checkpoint:p@", "the CHECKPOINT after `@` is empty"),
            (
                "delete-checkpoint:p",
                "delete-checkpoint needs ROOT@CHECKPOINT",
            ),
            ("frobnicate:db", "unknown kind `frobnicate`"),
            (":db", "unknown kind ``"),
            ("db", "no `KIND:` in front"),
            ("gc:db@x", "`gc` takes no @CHECKPOINT"),
            ("split:p@cp", "split needs `=CHILD1,CHILD2,…`"),
            ("split:p=a", "split needs `PARENT@CHECKPOINT`"),
            ("split:@cp=a", "the PARENT is empty"),
            ("split:p@=a", "the CHECKPOINT after `@` is empty"),
            ("split:p@cp=", "child 1 is empty"),
            ("split:p@cp=a,,b", "child 2 is empty"),
            ("split:p@cp=a,", "child 2 is empty"),
            ("split:p@cp=a,a", "child 2 `a` is named twice"),
            ("split:p@cp=a,p", "child 2 is the parent `p` itself"),
            ("split:p@cp=a@x", "child 1 `a@x` holds `@` or `=`"),
            // Found by the `plan` fuzz target: it printed back as ` db @cp`, another plan.
            ("clone:/ db /@cp", "has spaces inside its outer slashes"),
            ("open:d\u{0}b", "holds a control character"),
            ("clone:db@c\tp", "holds a control character"),
        ] {
            let err = text.parse::<Action>().unwrap_err();
            assert!(err.contains(problem), "{text}: {err}");
            assert!(
                err.starts_with(&format!("plan `{}`: ", printable(text))),
                "{err}"
            );
            assert!(err.ends_with(PLAN_SYNTAX), "{err}");
            assert!(!err.chars().any(char::is_control), "{err:?}");
        }
    }
}
