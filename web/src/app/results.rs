//! The verdict, each plan's objects, the findings grouped by rule, and the downloads.

use super::PageState;
use crate::report_view::{FindingView, PlanView};
use leptos::prelude::*;

thread_local! {
    /// The object URLs of the downloads on show, released when the next report replaces them
    /// (each holds a copy of its report in the browser until revoked).
    static DOWNLOAD_URLS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An object URL for `blob`, for a download link.
fn download_url(blob: &web_sys::Blob) -> Option<String> {
    let url = web_sys::Url::create_object_url_with_blob(blob).ok()?;
    DOWNLOAD_URLS.with(|urls| urls.borrow_mut().push(url.clone()));
    Some(url)
}

/// Releases the download URLs made for the previous report.
fn release_download_urls() {
    for url in DOWNLOAD_URLS.with(|urls| std::mem::take(&mut *urls.borrow_mut())) {
        let _ = web_sys::Url::revoke_object_url(&url);
    }
}

fn evidence_text(finding: &FindingView) -> String {
    finding
        .evidence
        .iter()
        .map(|(key, value)| format!("{key}: {value}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn plan_view(plan: PlanView) -> impl IntoView {
    let objects = plan
        .objects
        .into_iter()
        .map(|object| {
            let size = object.size.map(|s| format!("{s} B")).unwrap_or_default();
            let class = format!("object {}", object.status);
            view! {
                <tr class=class>
                    <td>{object.status}</td>
                    <td><code>{object.key}</code></td>
                    <td>{object.role}</td>
                    <td>{size}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="plan-result" data-plan=plan.plan.clone()>
            <h3>
                <code>{plan.plan.clone()}</code> ": "
                <span class=format!("verdict {}", plan.verdict) data-testid="plan-verdict">{plan.verdict.clone()}</span>
            </h3>
            {plan.predicted_error.map(|error| view! { <p class="predicted">"Predicted: " <code>{error}</code></p> })}
            <table class="objects">{objects}</table>
        </div>
    }
}

#[component]
pub fn Results() -> impl IntoView {
    let state = expect_context::<PageState>();
    // They follow the report: drawn when they arrive (`data-ready`), without redrawing it.
    let wal_pictures = move || {
        state.finished.with(Option::is_some).then(|| {
            let html = move || state.wal_pictures.get().unwrap_or_default();
            let ready = move || state.wal_pictures.with(Option::is_some).to_string();
            view! {
                <h3>"WAL ids"</h3>
                <div class="wal-pictures" data-testid="wal-picture" data-ready=ready inner_html=html></div>
            }
        })
    };
    // Apart from the WAL pictures: the downloads arrive after the report, and redraw only this.
    let downloads = move || {
        release_download_urls();
        if state.finished.with(Option::is_none) {
            return None;
        }
        let made = state.downloads.get();
        let downloads = made.as_ref().and_then(|made| made.as_ref().ok());
        let json = downloads.and_then(|d| download_url(&d.json));
        let markdown = downloads.and_then(|d| download_url(&d.markdown));
        let html = downloads.and_then(|d| download_url(&d.html));
        let text = downloads.and_then(|d| download_url(&d.text));
        // The links stay in place, without a target until the worker has made the files.
        let lead = match &made {
            Some(Ok(_)) => "Download the report: ".to_string(),
            Some(Err(error)) => format!("The downloads could not be made ({error}): "),
            None => "Download the report (being made): ".to_string(),
        };
        Some(view! {
            <p class="downloads" data-testid="downloads" data-ready=downloads.is_some().to_string()>
                {lead}
                <a data-testid="download-markdown" href=markdown download="slatecheck-report.md">"Markdown"</a>
                " · "
                <a data-testid="download-html" href=html download="slatecheck-report.html">"HTML"</a>
                " · "
                <a data-testid="download-json" href=json download="slatecheck-report.json">"JSON"</a>
                " · "
                <a data-testid="download-text" href=text download="slatecheck-report.txt">"text"</a>
            </p>
        })
    };
    view! {
        <section
            class="results"
            data-testid="results"
            data-runs=move || state.runs.get()
            data-check-ms=move || format!("{:.0}", state.check_timed.get().elapsed_ms)
            data-downloads-ms=move || format!("{:.0}", state.downloads_timed.get().elapsed_ms)
            data-check-phases=move || state.check_phases.get()
        >
            <style>{slatecheck_core::report::WAL_PICTURE_CSS}</style>
            <h2>"3. Verdict"</h2>
            {move || state.error.get().map(|error| view! { <p class="error" data-testid="error">{error}</p> })}
            {move || {
                state
                    .report
                    .get()
                    .map(|report| {
                        let groups = report.by_rule();
                        view! {
                            <p class="verdict-line">
                                <span class=format!("verdict big {}", report.verdict) data-testid="verdict">{report.verdict.clone()}</span>
                                <span class="now">" judged at " {report.now.clone()}</span>
                            </p>
                            {report.plans.into_iter().map(plan_view).collect_view()}
                            <h3>"Findings"</h3>
                            {groups.is_empty().then(|| view! { <p data-testid="no-findings">"No findings."</p> })}
                            {groups
                                .into_iter()
                                .map(|(rule, findings)| {
                                    let count = findings.len();
                                    view! {
                                        <div class="rule-group" data-rule-group=rule.clone()>
                                            <h4><code>{rule.clone()}</code> {format!(" × {count}")}</h4>
                                            <table class="findings">
                                                {findings
                                                    .into_iter()
                                                    .map(|finding| {
                                                        let evidence = evidence_text(&finding);
                                                        view! {
                                                            <tr data-rule=finding.rule.clone() class=format!("sev-{}", finding.severity)>
                                                                <td class="severity">{finding.severity.clone()}</td>
                                                                <td class="root">{finding.root.clone()}</td>
                                                                <td>
                                                                    <p class="message">{finding.message.clone()}</p>
                                                                    <pre class="evidence">{evidence}</pre>
                                                                    <p class="remediation">"What to do: " {finding.remediation.clone()}</p>
                                                                </td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </table>
                                        </div>
                                    }
                                })
                                .collect_view()}
                        }
                    })
            }}
            {wal_pictures}
            {downloads}
        </section>
    }
}
