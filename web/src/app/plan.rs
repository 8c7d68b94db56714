//! Choosing the action: from a list built of the roots and checkpoints found, or typed in the
//! CLI's `--plan` syntax.

use super::{bridge, PageState};
use crate::protocol::{Request, RunRequest};
use leptos::prelude::*;
use slatecheck_core::intake::RootChoice;

/// `(plan, label)` for every action the roots allow; the first is "check everything".
fn plan_options(roots: &[RootChoice]) -> Vec<(String, String)> {
    let mut options = vec![(
        String::new(),
        "every rule on every root (no plan)".to_string(),
    )];
    for root in roots {
        let r = &root.root;
        for checkpoint in &root.checkpoints {
            let name = checkpoint
                .name
                .as_ref()
                .map(|n| format!("{n} "))
                .unwrap_or_default();
            let expiry = checkpoint
                .expire_time
                .map_or("never expires".to_string(), |t| {
                    format!("expires {}", t.to_rfc3339())
                });
            options.push((
                format!("clone:{r}@{}", checkpoint.id),
                format!(
                    "clone {r} from checkpoint {name}({}, manifest {}, {expiry})",
                    checkpoint.id, checkpoint.manifest_id
                ),
            ));
        }
        options.push((
            format!("clone:{r}"),
            format!("clone {r} from its latest state"),
        ));
        options.push((format!("open:{r}"), format!("open {r} as a writer")));
        options.push((format!("read:{r}"), format!("read every key of {r}")));
        options.push((
            format!("wipe-wal:{r}"),
            format!("wipe the WAL objects of {r}"),
        ));
        for checkpoint in &root.checkpoints {
            let name = checkpoint.name.as_deref().unwrap_or("");
            options.push((
                format!("delete-checkpoint:{r}@{}", checkpoint.id),
                format!("delete checkpoint {name} {} of {r}", checkpoint.id),
            ));
        }
        options.push((
            format!("delete-root:{r}"),
            format!("delete the database {r}"),
        ));
        options.push((format!("gc:{r}"), format!("let GC run on {r}")));
    }
    options
}

/// The roots a statement is made of, typed as a list (commas, spaces or lines); empty when the
/// statement is not made, or made of every root.
fn stated_roots(stated: bool, typed: &str) -> Vec<String> {
    if !stated {
        return Vec::new();
    }
    typed
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|root| !root.is_empty())
        .map(str::to_string)
        .collect()
}

/// A statement about how the writers stopped, as `flag` makes it: its checkbox (`testid`), and
/// the roots it is made of when not of every one (`{testid}-roots`).
#[component]
fn Statement(
    testid: &'static str,
    flag: &'static str,
    /// What the statement settles, for the tooltip.
    why: &'static str,
    /// The checkbox's text.
    says: &'static str,
    stated: RwSignal<bool>,
    roots: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label title=format!("As {flag}: {why}")>
            <input type="checkbox" data-testid=testid prop:checked=move || stated.get() on:change=move |ev| stated.set(event_target_checked(&ev)) />
            {says}
        </label>
        <label title=format!("As {flag}=ROOT,...: the statement above is made of these database roots only")>
            " of the databases "
            <input type="text" data-testid=format!("{testid}-roots") placeholder="every one (or: shard-7, shard-9)" prop:value=move || roots.get() on:input=move |ev| roots.set(event_target_value(&ev)) disabled=move || !stated.get() />
        </label>
    }
}

#[component]
pub fn PlanPicker() -> impl IntoView {
    let state = expect_context::<PageState>();
    let plan_text = RwSignal::new(String::new());
    let now = RwSignal::new(String::new());
    let min_age = RwSignal::new("300".to_string());
    let no_wal_store = RwSignal::new(false);
    let gc_running = RwSignal::new(false);
    let writers_closed = RwSignal::new(false);
    // The roots the statement is made of; empty: every root.
    let writers_closed_roots = RwSignal::new(String::new());
    let writers_closed_wal_only = RwSignal::new(false);
    let writers_closed_wal_only_roots = RwSignal::new(String::new());
    // Roots the scan (no plan) is limited to; empty: all.
    let chosen_roots = RwSignal::new(Vec::<String>::new());
    let run = move |_| {
        let plans = plan_text
            .get()
            .split([';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        let min_age_seconds = min_age.get().trim().parse().unwrap_or(300);
        let closed_roots = stated_roots(writers_closed.get(), &writers_closed_roots.get());
        let wal_only_roots = stated_roots(
            writers_closed_wal_only.get(),
            &writers_closed_wal_only_roots.get(),
        );
        state.busy.set(true);
        state.error.set(None);
        bridge::send(
            &Request::Run(RunRequest {
                plans,
                now: now.get(),
                min_age_seconds,
                roots: chosen_roots.get(),
                no_wal_store: no_wal_store.get(),
                gc_running: gc_running.get(),
                writers_closed: writers_closed.get() && closed_roots.is_empty(),
                writers_closed_roots: closed_roots,
                writers_closed_wal_only: writers_closed_wal_only.get() && wal_only_roots.is_empty(),
                writers_closed_wal_only_roots: wal_only_roots,
            }),
            &[],
        );
    };
    view! {
        <section class="plan">
            <h2>"2. The action"</h2>
            <label>
                "Action: "
                <select
                    data-testid="plan"
                    on:change=move |ev| plan_text.set(event_target_value(&ev))
                >
                    {move || {
                        plan_options(&state.roots.get())
                            .into_iter()
                            .map(|(plan, label)| {
                                let selected = plan == plan_text.get_untracked();
                                view! { <option value=plan selected=selected>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label>
                "Plan (CLI syntax, e.g. " <code>"clone:parent@<checkpoint>"</code> "; several separated by ;): "
                <input
                    type="text"
                    data-testid="plan-text"
                    placeholder="clone:ROOT@CHECKPOINT"
                    prop:value=move || plan_text.get()
                    on:input=move |ev| plan_text.set(event_target_value(&ev))
                />
            </label>
            <Show when={move || plan_text.get().trim().is_empty() && state.roots.get().len() > 1}>
                <fieldset class="roots" data-testid="roots">
                    <legend>"Roots to check (none ticked: all)"</legend>
                    {move || {
                        state
                            .roots
                            .get()
                            .into_iter()
                            .map(|root| {
                                let name = root.root.clone();
                                let toggle = {
                                    let name = name.clone();
                                    move |ev: leptos::ev::Event| {
                                        let on = event_target_checked(&ev);
                                        chosen_roots.update(|list| {
                                            list.retain(|r| *r != name);
                                            if on {
                                                list.push(name.clone());
                                            }
                                        });
                                    }
                                };
                                let checked = chosen_roots.get_untracked().contains(&name);
                                view! {
                                    <label class="root-choice">
                                        <input type="checkbox" value=name.clone() checked=checked on:change=toggle />
                                        <code>{name.clone()}</code>
                                    </label>
                                }
                            })
                            .collect_view()
                    }}
                </fieldset>
            </Show>
            <details>
                <summary>"Time and GC options"</summary>
                <label>
                    "Judge at (RFC 3339, empty: the listing's time): "
                    <input type="text" data-testid="now" prop:value=move || now.get() on:input=move |ev| now.set(event_target_value(&ev)) />
                </label>
                <label>
                    "GC min-age (seconds): "
                    <input type="number" data-testid="min-age" prop:value=move || min_age.get() on:input=move |ev| min_age.set(event_target_value(&ev)) />
                </label>
                <label>
                    <input type="checkbox" data-testid="gc-running" prop:checked=move || gc_running.get() on:change=move |ev| gc_running.set(event_target_checked(&ev)) />
                    " GC runs in the background (--gc-running): expired or soon-expiring checkpoints are unsafe to clone from"
                </label>
            </details>
            <label title="As --no-wal-store: WAL objects the main store listing does not show are missing, not perhaps in an unlisted WAL store">
                <input type="checkbox" data-testid="no-wal-store" prop:checked=move || no_wal_store.get() on:change=move |ev| no_wal_store.set(event_target_checked(&ev)) />
                " No separate WAL store: these databases keep their WAL in the main store"
            </label>
            <Statement
                testid="writers-closed"
                flag="--writers-closed"
                why="WAL objects that may hold writes made after a size-triggered memtable freeze then hold only rows of L0"
                says=" Every writer stopped with Db::close() (none crashed, none closed with a WAL flush only, none running)"
                stated=writers_closed
                roots=writers_closed_roots
            />
            <Statement
                testid="writers-closed-wal-only"
                flag="--writers-closed-wal-only"
                why="a closing writer records its WAL position, so nothing was written after the WAL the latest manifest records"
                says=" The last writer closed with close_with_options and a WAL flush only, or none (it did not crash, is not running)"
                stated=writers_closed_wal_only
                roots=writers_closed_wal_only_roots
            />
            <button data-testid="run" on:click=run disabled=move || state.busy.get()>"Check"</button>
        </section>
    }
}
