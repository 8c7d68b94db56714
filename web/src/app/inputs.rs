//! Adding files and folders, and what each turned out to be.

use super::{bridge, PageState};
use crate::protocol::{NewInput, Request};
use leptos::prelude::*;
use slatecheck_core::intake::Store;
use web_sys::{File, FileList, HtmlInputElement};

/// Files of a `FileList`, in order.
fn files_of(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Sends single files as one input each.
fn add_files(state: PageState, files: Vec<File>) {
    if files.is_empty() {
        return;
    }
    let inputs = files
        .iter()
        .map(|file| NewInput {
            name: file.name(),
            files: 1,
            paths: None,
        })
        .collect();
    state.busy.set(true);
    bridge::send(&Request::Add { inputs }, &files);
}

/// A picked file's path below the folder the user picked, folder name first
/// (`webkitRelativePath`, which web-sys' File binding lacks).
fn relative_path(file: &File) -> String {
    js_sys::Reflect::get(file, &"webkitRelativePath".into())
        .ok()
        .and_then(|path| path.as_string())
        .filter(|path| !path.is_empty())
        .unwrap_or_else(|| file.name())
}

/// Sends folders as one input per top folder: `files` are `(folder/path/below, file)`, and each
/// file's path below its folder is its object key.
fn add_folder(state: PageState, files: Vec<(String, File)>) {
    let mut inputs: Vec<NewInput> = Vec::new();
    let mut ordered: Vec<File> = Vec::new();
    let mut groups: Vec<(String, Vec<(String, File)>)> = Vec::new();
    for (relative, file) in files {
        let (top, rest) = relative
            .split_once('/')
            .map(|(top, rest)| (top.to_string(), rest.to_string()))
            .unwrap_or_else(|| (String::new(), relative.clone()));
        match groups.iter_mut().find(|(name, _)| *name == top) {
            Some((_, list)) => list.push((rest, file)),
            None => groups.push((top, vec![(rest, file)])),
        }
    }
    for (name, files) in groups {
        inputs.push(NewInput {
            name: format!("{name}/"),
            files: files.len(),
            paths: Some(files.iter().map(|(path, _)| path.clone()).collect()),
        });
        ordered.extend(files.into_iter().map(|(_, file)| file));
    }
    if inputs.is_empty() {
        return;
    }
    state.busy.set(true);
    bridge::send(&Request::Add { inputs }, &ordered);
}

#[component]
pub fn Inputs() -> impl IntoView {
    let state = expect_context::<PageState>();
    let on_files = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        add_files(state, files_of(input.files()));
        input.set_value("");
    };
    let on_folder = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let files = files_of(input.files());
        add_folder(
            state,
            files
                .into_iter()
                .map(|file| (relative_path(&file), file))
                .collect(),
        );
        input.set_value("");
    };
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let Some(transfer) = ev.data_transfer() else {
            return;
        };
        let (folders, files) = super::dropped::split(&transfer);
        add_files(state, files);
        if !folders.is_empty() {
            state.busy.set(true);
            leptos::task::spawn_local(async move {
                add_folder(state, super::dropped::folder_files(folders).await);
            });
        }
    };
    let manifest_root = RwSignal::new(String::new());
    let prefix = RwSignal::new(String::new());
    let tz = RwSignal::new(String::new());
    let listing_complete = RwSignal::new(false);
    let set_reading = move || {
        state.busy.set(true);
        bridge::send(
            &Request::Reading {
                prefix: prefix.get_untracked(),
                tz: tz.get_untracked(),
                listing_complete: listing_complete.get_untracked(),
            },
            &[],
        );
    };
    let set_root = move |ev: leptos::ev::Event| {
        let root = event_target_value(&ev);
        manifest_root.set(root.clone());
        state.busy.set(true);
        bridge::send(&Request::ManifestRoot { root }, &[]);
    };
    view! {
        <section
            class="inputs"
            data-testid="inputs-section"
            data-loads=move || state.loads.get()
            data-read-ms=move || format!("{:.0}", state.read_timed.get().elapsed_ms)
            data-read-silence-ms=move || format!("{:.0}", state.read_timed.get().longest_silence_ms)
            data-read-phases=move || state.read_phases.get()
        >
            <h2>"1. Inputs"</h2>
            <div
                class="drop"
                class:dragging=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <p>"Drop files here, or pick them:"</p>
                <label>
                    "Files "
                    <input type="file" multiple data-testid="file-input" on:change=on_files />
                </label>
                <label>
                    "A store folder "
                    <input type="file" prop:webkitdirectory=true data-testid="folder-input" on:change=on_folder />
                </label>
            </div>
            <details class="reading">
                <summary>"Listing options"</summary>
                <label>
                    "Store prefix in the bucket (like --prefix, e.g. " <code>"prod/dbs/"</code> "): "
                    <input type="text" data-testid="prefix" prop:value=move || prefix.get()
                        on:change=move |ev| { prefix.set(event_target_value(&ev)); set_reading(); } />
                </label>
                <label>
                    "Time zone of listings that print local times (like --tz: " <code>"UTC"</code> ", " <code>"+02:00"</code> "): "
                    <input type="text" data-testid="tz" prop:value=move || tz.get()
                        on:change=move |ev| { tz.set(event_target_value(&ev)); set_reading(); } />
                </label>
                <label title="As --listing-complete: for listings whose format cannot show that they were cut short (az JSON, s3api with --query, rclone lsl), take your word that the command listed everything and exited 0">
                    <input type="checkbox" data-testid="listing-complete" prop:checked=move || listing_complete.get()
                        on:change=move |ev| { listing_complete.set(event_target_checked(&ev)); set_reading(); } />
                    " The listing files are complete (--listing-complete)"
                </label>
            </details>
            <Show when=move || state.progress.get().is_some()>
                {move || {
                    state
                        .progress
                        .get()
                        .map(|(name, done, total)| {
                            view! {
                                <div class="progress">
                                    <progress data-testid="progress" max=total value=done></progress>
                                    <span>{format!("reading {name}: {:.0} of {:.0} MB", done / 1e6, total / 1e6)}</span>
                                </div>
                            }
                        })
                }}
            </Show>
            {move || state.step.get().map(|what| view! { <p class="progress" data-testid="step">{what}"…"</p> })}
            <table class="files" data-testid="inputs">
                <For
                    each={move || state.inputs.get().into_iter().enumerate().collect::<Vec<_>>()}
                    key={|(index, input): &(usize, crate::protocol::InputSummary)| (*index, input.clone())}
                    children={move |(index, input): (usize, crate::protocol::InputSummary)| {
                        let store_choice = input.store.map(|store| {
                            let on_store = move |ev: leptos::ev::Event| {
                                let store = if event_target_value(&ev) == "wal" { Store::Wal } else { Store::Main };
                                state.busy.set(true);
                                bridge::send(&Request::Assign { index, store }, &[]);
                            };
                            view! {
                                <select data-testid="store" on:change=on_store>
                                    <option value="main" selected=store == Store::Main>"main store"</option>
                                    <option value="wal" selected=store == Store::Wal>"WAL store"</option>
                                </select>
                            }
                        });
                        let when_choice = input.earlier.map(|earlier| {
                            let on_when = move |ev: leptos::ev::Event| {
                                let earlier = event_target_value(&ev) == "earlier";
                                state.busy.set(true);
                                bridge::send(&Request::Earlier { index, earlier }, &[]);
                            };
                            view! {
                                <select data-testid="bundle-when" on:change=on_when
                                    title="A bundle collected before a wipe or a deletion (as --earlier-bundle): the rows of the WAL objects it read settle what objects gone since held">
                                    <option value="now" selected=!earlier>"the store now"</option>
                                    <option value="earlier" selected=earlier>"collected earlier"</option>
                                </select>
                            }
                        });
                        let remove = move |_| {
                            state.busy.set(true);
                            bridge::send(&Request::Remove { index }, &[]);
                        };
                        view! {
                            <tr data-testid="input" class:failed=input.error.is_some()>
                                <td class="name">{input.name.clone()}</td>
                                <td class="kind">{input.kind.clone()}</td>
                                <td class="detail">
                                    {input.detail.clone()}
                                    {input.error.clone().map(|error| view! { <div class="error" data-testid="input-error">{error}</div> })}
                                </td>
                                <td>{store_choice}{when_choice}</td>
                                <td><button class="remove" title="remove" on:click=remove>"×"</button></td>
                            </tr>
                        }
                    }}
                />
            </table>
            <Show when=move || state.problem.get().is_some() || !manifest_root.get().is_empty()>
                <div class="problem">
                    <p data-testid="problem">{move || state.problem.get()}</p>
                    <label>
                        "Database root of manifests given as loose files: "
                        <input type="text" data-testid="manifest-root" prop:value=move || manifest_root.get() on:change=set_root />
                    </label>
                </div>
            </Show>
        </section>
    }
}
