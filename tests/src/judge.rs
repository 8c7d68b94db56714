//! slatecheck's verdict on a store, as an operator gets it: the `slatecheck` binary of this
//! workspace run on the live store directories (`check --store DIR [--wal-store DIR]`), and
//! offline on exported files (an `aws s3 ls --recursive` listing per store and the manifest
//! objects: `check --listing FILE [--wal-listing FILE] --manifests DIR`).

use crate::store::{files_under, relative_key, StoreDirs};
use anyhow::{anyhow, bail, Context, Result};
use slatecheck_core::finding::Verdict;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How slatecheck is given the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// `--store DIR [--wal-store DIR]`: slatecheck lists the directories and fetches the
    /// manifests itself.
    Live,
    /// `--listing main.txt [--wal-listing wal.txt] --manifests DIR`: `aws s3 ls --recursive`
    /// text and a copy of the manifest objects.
    Offline,
}

impl Mode {
    /// Both modes, in report order.
    pub const ALL: [Mode; 2] = [Mode::Live, Mode::Offline];

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Live => "live",
            Mode::Offline => "offline",
        }
    }
}

/// What the operator tells slatecheck besides the plan.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// The plan, in slatecheck's syntax.
    pub plan: &'a str,
    /// The store.
    pub dirs: &'a StoreDirs,
    /// Whether the separate WAL store (if the database has one) is given.
    pub with_wal: bool,
    /// Whether to assert that the databases keep their WAL in the main store
    /// (`--no-wal-store`), when the binary has that flag.
    pub no_wal_store: bool,
    /// Whether to assert that every writer stopped with `Db::close()` (`--writers-closed`),
    /// when the binary has that flag.
    pub writers_closed: bool,
    /// Whether to assert that the last writer closed with a WAL flush only
    /// (`--writers-closed-wal-only`), when the binary has that flag.
    pub writers_closed_wal_only: bool,
    /// Copies of the stores from before the damage: `collect` them and give the bundle as
    /// `--earlier-bundle`, when the binary has that flag.
    pub earlier: Option<&'a StoreDirs>,
}

/// One verdict on one plan.
#[derive(Clone, Debug)]
pub struct Judgment {
    /// The plan's verdict.
    pub verdict: Verdict,
    /// The rules behind it.
    pub rules: Vec<String>,
    /// `severity rule: message` of every finding, in report order.
    pub findings: Vec<String>,
}

/// The workspace's `slatecheck` binary.
pub struct Cli {
    exe: PathBuf,
    flags: String,
}

impl Cli {
    /// Builds the binary and finds it from cargo's own artifact messages, so the verdicts are
    /// always those of the current source. It asks for what `scripts/test` builds (`cargo test
    /// --workspace --exclude slatecheck-web`, without running anything), so under
    /// `scripts/test` every artifact is fresh and nothing is rebuilt with other features.
    /// `SLATECHECK_ORACLE_BINARY=PATH` judges with that binary instead (an older build, to
    /// compare verdicts on the same histories).
    pub fn build() -> Result<Self> {
        if let Some(exe) = std::env::var_os("SLATECHECK_ORACLE_BINARY") {
            return Self::at(PathBuf::from(exe));
        }
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or_else(|| anyhow!("the tests crate has no parent directory"))?;
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").into());
        let output = Command::new(&cargo)
            .args([
                "test",
                "--workspace",
                "--exclude",
                "slatecheck-web",
                "--no-run",
                "--message-format=json-render-diagnostics",
            ])
            .current_dir(workspace)
            .output()
            .with_context(|| format!("running {cargo} test --no-run"))?;
        if !output.status.success() {
            bail!(
                "cargo test --no-run failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let exe = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|message| {
                // The binary itself, not its unit-test harness (`profile.test`).
                message["target"]["name"] == "slatecheck"
                    && message["target"]["kind"][0] == "bin"
                    && message["profile"]["test"] == false
            })
            .find_map(|message| message["executable"].as_str().map(PathBuf::from))
            .ok_or_else(|| anyhow!("cargo named no slatecheck executable"))?;
        Self::at(exe)
    }

    fn at(exe: PathBuf) -> Result<Self> {
        let help = Command::new(&exe).args(["check", "--help"]).output()?;
        Ok(Self {
            exe,
            flags: String::from_utf8_lossy(&help.stdout).into_owned(),
        })
    }

    /// Whether `slatecheck check` takes `flag` (flags other workstreams add as they land).
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .any(|word| word == flag)
    }

    /// slatecheck's verdict on `request` given the `mode` way; `scratch` receives the exported
    /// files of the offline mode.
    pub fn judge(&self, mode: Mode, request: &Request<'_>, scratch: &Path) -> Result<Judgment> {
        let mut command = Command::new(&self.exe);
        command.args(["check", "--plan", request.plan, "--min-age", "0s"]);
        command.args(["--format", "json"]);
        let wal = request.dirs.wal.as_ref().filter(|_| request.with_wal);
        match mode {
            Mode::Live => {
                command.arg("--store").arg(&request.dirs.main);
                if let Some(wal) = wal {
                    command.arg("--wal-store").arg(wal);
                }
            }
            Mode::Offline => {
                std::fs::create_dir_all(scratch)?;
                let main = scratch.join("main.txt");
                write_s3_ls(&request.dirs.main, &main)?;
                command.arg("--listing").arg(&main).arg("--tz").arg("UTC");
                if let Some(wal) = wal {
                    let listing = scratch.join("wal.txt");
                    write_s3_ls(wal, &listing)?;
                    command.arg("--wal-listing").arg(&listing);
                }
                command.arg("--manifests").arg(&request.dirs.main);
            }
        }
        if request.writers_closed && self.has_flag("--writers-closed") {
            command.arg("--writers-closed");
        }
        if request.writers_closed_wal_only && self.has_flag("--writers-closed-wal-only") {
            command.arg("--writers-closed-wal-only");
        }
        if request.no_wal_store && self.has_flag("--no-wal-store") {
            command.arg("--no-wal-store");
        }
        if let (Some(earlier), true) = (request.earlier, self.has_flag("--earlier-bundle")) {
            std::fs::create_dir_all(scratch)?;
            let bundle = scratch.join("earlier.tar.gz");
            let mut collect = Command::new(&self.exe);
            collect.arg("collect").arg(&earlier.main);
            if let Some(wal) = &earlier.wal {
                collect.arg("--wal-store").arg(wal);
            }
            let collected = collect
                .arg("-o")
                .arg(&bundle)
                .output()
                .context("running slatecheck collect")?;
            if !collected.status.success() {
                bail!(
                    "slatecheck collect of the stores before the damage failed: {}",
                    String::from_utf8_lossy(&collected.stderr).trim()
                );
            }
            command.arg("--earlier-bundle").arg(&bundle);
        }
        let output = command.output().context("running slatecheck check")?;
        let code = output.status.code();
        if !matches!(code, Some(0 | 1 | 3)) {
            bail!(
                "slatecheck check --plan {} ({}) exited {code:?}: {}",
                request.plan,
                mode.name(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)
            .context("slatecheck's JSON report does not parse")?;
        let plan = &report["plans"][0];
        let verdict = match plan["verdict"].as_str() {
            Some("safe") => Verdict::Safe,
            Some("unsafe") => Verdict::Unsafe,
            Some("inconclusive") => Verdict::Inconclusive,
            other => bail!("plan verdict {other:?} in {plan}"),
        };
        let texts = |value: &serde_json::Value| -> Vec<String> {
            value
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|item| item.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let findings = report["findings"]
            .as_array()
            .map(|findings| {
                findings
                    .iter()
                    .map(|f| {
                        format!(
                            "{} {}: {}",
                            f["severity"].as_str().unwrap_or("?"),
                            f["rule"].as_str().unwrap_or("?"),
                            f["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Judgment {
            verdict,
            rules: texts(&plan["rules"]),
            findings,
        })
    }
}

/// Writes what `aws s3 ls --recursive` prints for `dir` (times in UTC, to the second).
pub fn write_s3_ls(dir: &Path, to: &Path) -> Result<()> {
    let mut text = String::new();
    for file in files_under(dir)? {
        let meta = std::fs::metadata(&file)?;
        let modified: chrono::DateTime<chrono::Utc> = meta.modified()?.into();
        text.push_str(&format!(
            "{} {:>10} {}\n",
            modified.format("%Y-%m-%d %H:%M:%S"),
            meta.len(),
            relative_key(dir, &file)
        ));
    }
    std::fs::write(to, text).with_context(|| format!("writing {}", to.display()))
}
