// Independent random-scenario generator for testing slatecheck against SlateDB 0.18.
// Usage: indep <scenario-number> <seed>
use anyhow::{anyhow, Result};
use object_store::local::LocalFileSystem;
use object_store::ObjectStore;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use slatedb::admin::{Admin, AdminBuilder};
use slatedb::config::{
    CheckpointOptions, CheckpointScope, CloseOptions, CompactorOptions, FlushOptions, FlushType,
    GarbageCollectorDirectoryOptions, GarbageCollectorOptions, Settings,
};
use slatedb::{CloneSourceSpec, Db, DbReadOps, DbReader, DbReaderMode, WriteBatch};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::{Path as FsPath, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

type State = BTreeMap<String, String>;
/// The `slatecheck` binary judged (`SLATECHECK_BIN`, default `slatecheck` on the PATH).
fn slatecheck_bin() -> String {
    std::env::var("SLATECHECK_BIN").unwrap_or_else(|_| "slatecheck".into())
}

/// Where each scenario's stores and result go (`INDEP_RUN_DIR`, default `/tmp/indep/run`).
fn run_dir() -> String {
    std::env::var("INDEP_RUN_DIR").unwrap_or_else(|_| "/tmp/indep/run".into())
}
const NKEYS: usize = 14;

fn block<F: Future>(f: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let out = rt.block_on(f);
    // kills every task the future left behind (a crashed writer's flusher, compactor ...)
    rt.shutdown_background();
    out
}

async fn with_timeout<T>(secs: u64, f: impl Future<Output = Result<T>>) -> Result<T> {
    match tokio::time::timeout(Duration::from_secs(secs), f).await {
        Ok(r) => r,
        Err(_) => Err(anyhow!("timeout after {secs}s")),
    }
}

#[derive(Clone)]
struct Stores {
    main_dir: PathBuf,
    wal_dir: PathBuf,
    sep_wal: bool,
}

impl Stores {
    fn main(&self) -> Arc<dyn ObjectStore> {
        Arc::new(LocalFileSystem::new_with_prefix(&self.main_dir).unwrap())
    }
    fn wal(&self) -> Option<Arc<dyn ObjectStore>> {
        if self.sep_wal {
            Some(Arc::new(LocalFileSystem::new_with_prefix(&self.wal_dir).unwrap()))
        } else {
            None
        }
    }
    fn wal_root_dir(&self, root: &str) -> PathBuf {
        if self.sep_wal {
            self.wal_dir.join(root).join("wal")
        } else {
            self.main_dir.join(root).join("wal")
        }
    }
    fn admin(&self, root: &str) -> Admin {
        let mut b = AdminBuilder::new(root, self.main());
        if let Some(w) = self.wal() {
            b = b.with_wal_object_store(w);
        }
        b.build()
    }
    fn copy_to(&self, dst: &FsPath) -> Stores {
        let _ = std::fs::remove_dir_all(dst);
        std::fs::create_dir_all(dst).unwrap();
        let m = dst.join("main");
        let w = dst.join("wal");
        sh(&format!("cp -a {} {}", self.main_dir.display(), m.display()));
        sh(&format!("cp -a {} {}", self.wal_dir.display(), w.display()));
        Stores { main_dir: m, wal_dir: w, sep_wal: self.sep_wal }
    }
}

fn sh(cmd: &str) {
    let st = Command::new("sh").arg("-c").arg(cmd).status().unwrap();
    assert!(st.success(), "{cmd}");
}

#[derive(Clone, Debug)]
struct CpInfo {
    root: String,
    kind: String, // All, Durable, detached
    state_at: State,
    lifetime_ms: Option<u64>,
    name: Option<String>,
}

struct Ctx {
    st: Stores,
    rng: StdRng,
    steps: Vec<String>,
    notes: Vec<String>,
    state: BTreeMap<String, State>,
    snaps: BTreeMap<String, Vec<State>>,
    cps: BTreeMap<Uuid, CpInfo>,
    all_closed_properly: bool,
    counter: u64,
    small_l0: Option<usize>,
    compactor: bool,
    roots: Vec<String>,
    tricky: bool,
    damage_cp: Option<Uuid>,
    focus: bool,
    focus2: bool,
}

fn settings(ctx: &Ctx) -> Settings {
    let mut s = Settings::default();
    s.garbage_collector_options = None;
    if let Some(b) = ctx.small_l0 {
        s.l0_sst_size_bytes = b;
    }
    if !ctx.compactor {
        // without a compactor L0 never drains: avoid write stalls from L0 backpressure (l0_max_ssts 8)
        s.l0_max_ssts = 10_000;
        s.l0_max_ssts_per_key = 10_000;
    }
    s.compactor_options = if ctx.compactor {
        Some(CompactorOptions { poll_interval: Duration::from_millis(100), ..Default::default() })
    } else {
        None
    };
    s
}

fn gc_opts() -> GarbageCollectorOptions {
    let d = Some(GarbageCollectorDirectoryOptions {
        interval: None,
        min_age: Duration::ZERO,
        dry_run: false,
    });
    GarbageCollectorOptions {
        manifest_options: d,
        wal_options: d,
        compacted_options: d,
        compactions_options: d,
        boundary_files_enabled: false,
        object_store_max_retries: Some(3),
        ..Default::default()
    }
}

async fn open_db(st: &Stores, root: &str, s: Settings) -> Result<Db> {
    let mut b = Db::builder(root, st.main()).with_settings(s);
    if let Some(w) = st.wal() {
        b = b.with_wal_object_store(w);
    }
    Ok(b.build().await?)
}

fn key(i: usize) -> String {
    format!("k{:02}", i)
}

impl Ctx {
    fn val(&mut self) -> String {
        self.counter += 1;
        let len = if self.small_l0.is_some() { self.rng.random_range(80..400) } else { 12 };
        let mut v = format!("v{}-", self.counter);
        while v.len() < len {
            v.push((b'a' + (self.counter % 26) as u8) as char);
        }
        v
    }
    fn snap(&mut self, root: &str) {
        let s = self.state.get(root).cloned().unwrap_or_default();
        self.snaps.entry(root.to_string()).or_default().push(s);
    }
    fn step(&mut self, s: String) {
        eprintln!("{}", s);
        self.steps.push(s);
    }
}

fn vshort(v: &str) -> String {
    v.split('-').next().unwrap_or(v).to_string()
}

// ---------------------------------------------------------------- writer session
#[derive(Clone, Copy, Debug)]
enum End {
    Close,
    WalOnly,
    NoFlush,
    Crash,
}

async fn writer_session(ctx: &mut Ctx, root: &str, nops: usize, end: End) -> Result<()> {
    let db = open_db(&ctx.st, root, settings(ctx)).await?;
    ctx.step(format!("[{root}] open writer"));
    for _ in 0..nops {
        let r = ctx.rng.random_range(0..100);
        if r < 38 {
            let n = ctx.rng.random_range(1..4);
            let mut batch = WriteBatch::new();
            let mut desc = vec![];
            let mut pend = vec![];
            for _ in 0..n {
                let k = key(ctx.rng.random_range(0..NKEYS));
                if ctx.rng.random_bool(0.2) {
                    batch.delete(&k);
                    desc.push(format!("del {k}"));
                    pend.push((k, None));
                } else {
                    let v = ctx.val();
                    batch.put(&k, &v);
                    desc.push(format!("put {k}={}({}B)", vshort(&v), v.len()));
                    pend.push((k, Some(v)));
                }
            }
            db.write(batch).await?.await_durable().await?;
            let s = ctx.state.entry(root.to_string()).or_default();
            for (k, v) in pend {
                match v {
                    Some(v) => s.insert(k, v),
                    None => s.remove(&k),
                };
            }
            ctx.snap(root);
            ctx.step(format!("[{root}] batch {} (awaited durable)", desc.join(", ")));
        } else if r < 50 {
            let n = if ctx.tricky { ctx.rng.random_range(2..10) } else { ctx.rng.random_range(2..5) };
            let mut desc = vec![];
            let mut pend = vec![];
            for _ in 0..n {
                let k = key(ctx.rng.random_range(0..NKEYS));
                let v = ctx.val();
                let _h = db.put(&k, &v).await?;
                desc.push(format!("put {k}={}({}B)", vshort(&v), v.len()));
                pend.push((k, v));
            }
            db.flush_with_options(FlushOptions { flush_type: FlushType::Wal }).await?;
            let s = ctx.state.entry(root.to_string()).or_default();
            for (k, v) in pend {
                s.insert(k, v);
            }
            ctx.snap(root);
            ctx.step(format!("[{root}] unawaited {} then flush(Wal)", desc.join(", ")));
        } else if r < 60 {
            db.flush_with_options(FlushOptions { flush_type: FlushType::Wal }).await?;
            ctx.step(format!("[{root}] flush(Wal)"));
        } else if r < 72 {
            db.flush_with_options(FlushOptions { flush_type: FlushType::MemTable }).await?;
            ctx.step(format!("[{root}] flush(MemTable)"));
        } else if r < 86 {
            let scope_all = ctx.rng.random_bool(0.5);
            let (lifetime, lt) = match ctx.rng.random_range(0..4) {
                0 => (Some(Duration::from_millis(1)), Some(1)),
                1 => (Some(Duration::from_secs(3600)), Some(3_600_000)),
                _ => (None, None),
            };
            let name = if ctx.rng.random_bool(0.5) {
                Some(format!("cp{}", ctx.rng.random_range(0..1000)))
            } else {
                None
            };
            let res = db
                .create_checkpoint(
                    if scope_all { CheckpointScope::All } else { CheckpointScope::Durable },
                    &CheckpointOptions { lifetime, source: None, name: name.clone() },
                )
                .await?;
            let kind = if scope_all { "All" } else { "Durable" };
            ctx.cps.insert(
                res.id,
                CpInfo {
                    root: root.into(),
                    kind: kind.into(),
                    state_at: ctx.state.get(root).cloned().unwrap_or_default(),
                    lifetime_ms: lt,
                    name: name.clone(),
                },
            );
            ctx.step(format!(
                "[{root}] db.create_checkpoint({kind}, lifetime={:?}, name={:?}) -> {} (manifest {})",
                lifetime, name, res.id, res.manifest_id
            ));
        } else if r < 92 {
            detached_checkpoint(ctx, root).await?;
        } else {
            tokio::time::sleep(Duration::from_millis(300)).await;
            ctx.step(format!("[{root}] sleep 300ms"));
        }
    }
    match end {
        End::Close => {
            db.close().await?;
            ctx.step(format!("[{root}] close() (default: memtable flush)"));
        }
        End::WalOnly => {
            db.close_with_options(CloseOptions::default().with_flush_type(Some(FlushType::Wal)))
                .await?;
            ctx.all_closed_properly = false;
            ctx.step(format!("[{root}] close_with_options(flush_type=Some(Wal)) (data left in WAL)"));
        }
        End::NoFlush => {
            db.close_with_options(CloseOptions::default().with_flush_type(None)).await?;
            ctx.all_closed_properly = false;
            ctx.step(format!("[{root}] close_with_options(flush_type=None)"));
        }
        End::Crash => {
            drop(db);
            ctx.all_closed_properly = false;
            ctx.step(format!("[{root}] CRASH (drop Db without close, runtime shut down)"));
        }
    }
    Ok(())
}

async fn detached_checkpoint(ctx: &mut Ctx, root: &str) -> Result<()> {
    let (lifetime, lt) = match ctx.rng.random_range(0..3) {
        0 => (Some(Duration::from_millis(1)), Some(1)),
        1 => (Some(Duration::from_secs(3600)), Some(3_600_000)),
        _ => (None, None),
    };
    let name = if ctx.rng.random_bool(0.5) {
        Some(format!("det{}", ctx.rng.random_range(0..1000)))
    } else {
        None
    };
    let res = ctx
        .st
        .admin(root)
        .create_detached_checkpoint(&CheckpointOptions { lifetime, source: None, name: name.clone() })
        .await?;
    ctx.cps.insert(
        res.id,
        CpInfo {
            root: root.into(),
            kind: "detached".into(),
            state_at: ctx.state.get(root).cloned().unwrap_or_default(),
            lifetime_ms: lt,
            name: name.clone(),
        },
    );
    ctx.step(format!(
        "[{root}] Admin::create_detached_checkpoint(lifetime={:?}, name={:?}) -> {} (manifest {})",
        lifetime, name, res.id, res.manifest_id
    ));
    Ok(())
}

// ---------------------------------------------------------------- reading
async fn read_reader(st: &Stores, root: &str, universe: &BTreeSet<String>) -> Result<(State, State)> {
    let mut b = DbReader::builder(root, st.main()).with_reader_mode(DbReaderMode::FollowLatest);
    if let Some(w) = st.wal() {
        b = b.with_wal_object_store(w);
    }
    let r = b.build().await?;
    let read = contents(&r, universe).await?;
    let _ = r.close().await;
    Ok(read)
}

async fn read_writer(st: &Stores, root: &str, s: Settings, universe: &BTreeSet<String>) -> Result<(State, State)> {
    let db = open_db(st, root, s).await?;
    let read = contents(&db, universe).await?;
    // A writer that opens must also be able to write: its first WAL flush is where a hole
    // before another open's fence shows (the fence is taken: `Fenced`).
    db.put(b"zz-probe-after-open", b"probe").await?;
    db.flush_with_options(FlushOptions { flush_type: FlushType::Wal }).await?;
    db.close().await?;
    Ok(read)
}

/// What a reader or a writer returns: every key of `universe` read by point reads, and a full
/// scan.
async fn contents<R: DbReadOps + Sync>(r: &R, universe: &BTreeSet<String>) -> Result<(State, State)> {
    let mut gets = State::new();
    for k in universe {
        if let Some(v) = r.get(k.as_bytes()).await? {
            gets.insert(k.clone(), String::from_utf8_lossy(&v).to_string());
        }
    }
    let mut scan = State::new();
    let mut it = r.scan(..).await?;
    while let Some(kv) = it.next().await? {
        scan.insert(
            String::from_utf8_lossy(&kv.key).to_string(),
            String::from_utf8_lossy(&kv.value).to_string(),
        );
    }
    Ok((gets, scan))
}

fn diff(expected: &State, got: &State, what: &str) -> Vec<String> {
    let mut out = vec![];
    for (k, v) in expected {
        match got.get(k) {
            None => out.push(format!("{what}: lost {k} (expected {})", vshort(v))),
            Some(g) if g != v => out.push(format!("{what}: {k} has {} expected {}", vshort(g), vshort(v))),
            _ => {}
        }
    }
    for (k, g) in got {
        if !expected.contains_key(k) {
            out.push(format!("{what}: resurrected/unexpected {k}={}", vshort(g)));
        }
    }
    out
}

fn universe(extra: &State) -> BTreeSet<String> {
    let mut u: BTreeSet<String> = (0..NKEYS).map(key).collect();
    u.extend(extra.keys().cloned());
    u
}

/// Reads root with a reader and compares; Ok(()) if equal, Err(desc) otherwise.
async fn check_read(st: &Stores, root: &str, expected: &State) -> std::result::Result<(), String> {
    let u = universe(expected);
    match with_timeout(60, read_reader(st, root, &u)).await {
        Err(e) => Err(format!("error: {e}")),
        Ok((g, s)) => {
            let mut d = diff(expected, &g, "get");
            d.extend(diff(expected, &s, "scan"));
            if d.is_empty() { Ok(()) } else { Err(d.join("; ")) }
        }
    }
}

async fn do_clone(st: &Stores, src: &str, cp: Option<Uuid>, dst: &str) -> Result<()> {
    let admin = st.admin(dst);
    let spec = match cp {
        Some(id) => CloneSourceSpec::with_checkpoint(src, id),
        None => CloneSourceSpec::new(src),
    };
    admin.create_clone_builder_from_source(spec).build().await?;
    Ok(())
}

async fn clone_and_read(st: &Stores, src: &str, cp: Option<Uuid>, dst: &str) -> Result<State> {
    with_timeout(60, do_clone(st, src, cp, dst)).await.map_err(|e| anyhow!("clone error: {e}"))?;
    let u = universe(&State::new());
    let (g, s) = with_timeout(60, read_reader(st, dst, &u)).await.map_err(|e| anyhow!("read of clone error: {e}"))?;
    if g != s {
        return Err(anyhow!("clone get/scan disagree: {:?}", diff(&g, &s, "scan-vs-get")));
    }
    Ok(s)
}

async fn list_cps(st: &Stores, root: &str) -> Vec<slatedb::Checkpoint> {
    with_timeout(30, async { Ok(st.admin(root).list_checkpoints(None).await?) }).await.unwrap_or_default()
}

fn find_u64(v: &Value, name: &str) -> Option<u64> {
    match v {
        Value::Object(m) => {
            if let Some(x) = m.get(name).and_then(|x| x.as_u64()) {
                return Some(x);
            }
            m.values().find_map(|x| find_u64(x, name))
        }
        Value::Array(a) => a.iter().find_map(|x| find_u64(x, name)),
        _ => None,
    }
}

async fn latest_manifest_json(st: &Stores, root: &str) -> Option<Value> {
    let m = st.admin(root).read_manifest(None).await.ok()??;
    serde_json::to_value(&m).ok()
}

fn list_files(dir: &FsPath) -> Vec<(String, u64)> {
    let mut out = vec![];
    fn walk(base: &FsPath, d: &FsPath, out: &mut Vec<(String, u64)>) {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else {
                    let len = e.metadata().map(|m| m.len()).unwrap_or(0);
                    out.push((p.strip_prefix(base).unwrap().to_string_lossy().to_string(), len));
                }
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn write_listing(dir: &FsPath, out: &FsPath) {
    let mut s = String::new();
    for (k, len) in list_files(dir) {
        let md = std::fs::metadata(dir.join(&k)).unwrap();
        let t: chrono::DateTime<chrono::Utc> = md.modified().unwrap().into();
        s.push_str(&format!("{} {:>10} {}\n", t.format("%Y-%m-%d %H:%M:%S"), len, k));
    }
    std::fs::write(out, s).unwrap();
}

fn wal_ids(st: &Stores, root: &str) -> Vec<u64> {
    let mut v: Vec<u64> = std::fs::read_dir(st.wal_root_dir(root))
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_string_lossy().strip_suffix(".sst").and_then(|x| x.parse().ok()))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn run_sc(args: &[String]) -> Value {
    let out = Command::new(slatecheck_bin()).args(args).output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let parsed: Option<Value> = serde_json::from_str(&stdout).ok();
    let mut res = json!({"exit": code, "args": args.join(" ")});
    if code == 2 || parsed.is_none() {
        res["tool_error"] = json!(String::from_utf8_lossy(&out.stderr).chars().take(800).collect::<String>());
        res["verdict"] = json!("tool-error");
        return res;
    }
    let v = parsed.unwrap();
    let plan = &v["plans"][0];
    res["verdict"] = plan["verdict"].clone();
    res["rules"] = plan["rules"].clone();
    let mut f = vec![];
    if let Some(arr) = v["findings"].as_array() {
        for x in arr {
            f.push(json!({"rule": x["rule"], "severity": x["severity"],
                "message": x["message"].as_str().unwrap_or("").chars().take(400).collect::<String>()}));
        }
    }
    res["findings"] = json!(f);
    res["plan"] = plan.clone();
    res
}

// ---------------------------------------------------------------- main
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let num: u32 = args[1].parse().unwrap();
    let seed: u64 = args[2].parse().unwrap();
    let sdir = PathBuf::from(format!("{}/s{:04}", run_dir(), num));
    let _ = std::fs::remove_dir_all(&sdir);
    std::fs::create_dir_all(sdir.join("main")).unwrap();
    std::fs::create_dir_all(sdir.join("wal")).unwrap();
    let mut rng = StdRng::seed_from_u64(seed);
    let tricky = num > 260 && seed % 2 == 0;
    let sep_wal = rng.random_bool(0.5);
    let small_l0 = if tricky || rng.random_bool(0.4) { Some(rng.random_range(1024..4097)) } else { None };
    let compactor = if num > 420 { rng.random_bool(0.8) } else if tricky { rng.random_bool(0.7) } else { rng.random_bool(0.4) };
    let mut ctx = Ctx {
        st: Stores { main_dir: sdir.join("main"), wal_dir: sdir.join("wal"), sep_wal },
        rng,
        steps: vec![],
        notes: vec![],
        state: BTreeMap::new(),
        snaps: BTreeMap::new(),
        cps: BTreeMap::new(),
        all_closed_properly: true,
        counter: 0,
        small_l0,
        compactor,
        roots: vec!["p".into()],
        tricky,
        damage_cp: None,
        focus: num > 420 && num <= 540,
        focus2: num > 540,
    };
    ctx.step(format!(
        "settings: focus_wal_loss={}, focus_clone_pins={}, tricky_profile={tricky}, sep_wal_store={sep_wal}, l0_sst_size_bytes={:?}, compactor={}, db GC disabled, flush_interval default 100ms, l0_max_ssts {}",
        num > 540, num > 420 && num <= 540, small_l0, if compactor { "on (poll 100ms)" } else { "off" }, if compactor { "8 (default)" } else { "10000 (no compactor)" }
    ));
    let mut result = json!({"num": num, "seed": seed, "sep_wal": sep_wal});
    let hist = history(&mut ctx);
    if let Err(e) = &hist {
        ctx.notes.push(format!("history error: {e}"));
        result["history_error"] = json!(e.to_string());
    }
    finish(&mut ctx, &sdir, &mut result, hist.is_ok());
    result["steps"] = json!(ctx.steps);
    result["notes"] = json!(ctx.notes);
    std::fs::write(sdir.join("result.json"), serde_json::to_string_pretty(&result).unwrap()).unwrap();
}

fn pick_end(ctx: &mut Ctx) -> End {
    if ctx.focus2 && ctx.rng.random_bool(0.5) {
        return if ctx.rng.random_bool(0.5) { End::Crash } else { End::WalOnly };
    }
    match ctx.rng.random_range(0..10) {
        0..=4 => End::Close,
        5..=6 => End::WalOnly,
        7 => End::NoFlush,
        _ => End::Crash,
    }
}

fn gc_run(ctx: &mut Ctx, root: &str) -> Result<()> {
    let st = ctx.st.clone();
    let r = root.to_string();
    block(async move { with_timeout(60, async { Ok(st.admin(&r).run_gc_once(gc_opts()).await?) }).await })?;
    ctx.step(format!("[{root}] Admin::run_gc_once(min_age 0 for manifest/wal/compacted/compactions, boundary files off)"));
    Ok(())
}

fn clone_root(ctx: &mut Ctx, src: &str, dst: &str) -> Result<()> {
    let st = ctx.st.clone();
    let s2 = src.to_string();
    let cps = block(async move { list_cps(&st, &s2).await });
    let now = chrono::Utc::now();
    let live: Vec<_> = cps.iter().filter(|c| c.expire_time.map(|t| t > now).unwrap_or(true)).collect();
    let cp = if !live.is_empty() && ctx.rng.random_bool(0.6) { Some(live.choose(&mut ctx.rng).unwrap().id) } else { None };
    let st = ctx.st.clone();
    let (s2, d2) = (src.to_string(), dst.to_string());
    let got = block(async move { clone_and_read(&st, &s2, cp, &d2).await })?;
    let expected = match cp {
        Some(id) => ctx.cps.get(&id).map(|c| c.state_at.clone()),
        None => ctx.state.get(src).cloned(),
    };
    let desc = match cp {
        Some(id) => format!(
            "checkpoint {} ({})",
            id,
            ctx.cps.get(&id).map(|c| c.kind.clone()).unwrap_or("not ours (pin/ephemeral/compactor)".into())
        ),
        None => "latest".into(),
    };
    if let Some(e) = expected {
        let d = diff(&e, &got, "clone");
        if !d.is_empty() {
            ctx.notes.push(format!("history clone {dst} from {src} {desc} differs from acked state: {}", d.join("; ")));
        }
    }
    ctx.state.insert(dst.to_string(), got);
    ctx.snap(dst);
    ctx.roots.push(dst.to_string());
    ctx.step(format!("[{dst}] clone of {src} from {desc} (contents read: {} keys)", ctx.state[dst].len()));
    Ok(())
}

fn session(ctx: &mut Ctx, root: &str) -> Result<()> {
    let nops = if ctx.rng.random_bool(0.12) { 0 } else { ctx.rng.random_range(3..12) };
    let end = pick_end(ctx);
    block(async move {
        match tokio::time::timeout(Duration::from_secs(90), writer_session(ctx, root, nops, end)).await {
            Ok(r) => r,
            Err(_) => Err(anyhow!("writer session timed out after 90s")),
        }
    })
}

fn history(ctx: &mut Ctx) -> Result<()> {
    if ctx.focus {
        return history_focus(ctx);
    }
    let n1 = if ctx.tricky { ctx.rng.random_range(2..5) } else { ctx.rng.random_range(1..4) };
    for _ in 0..n1 {
        session(ctx, "p")?;
        let x = ctx.rng.random_range(0..100);
        if x < 20 {
            gc_run(ctx, "p")?;
        } else if x < 35 {
            block(detached_checkpoint(ctx, "p"))?;
        }
    }
    if ctx.rng.random_bool(if ctx.tricky { 0.75 } else { 0.6 }) {
        clone_root(ctx, "p", "c1")?;
        if ctx.rng.random_bool(if ctx.tricky { 0.6 } else { 0.4 }) {
            session(ctx, "c1")?;
        }
        if ctx.rng.random_bool(0.5) {
            // p keeps going after the clone
            session(ctx, "p")?;
            if ctx.rng.random_bool(0.4) {
                gc_run(ctx, "p")?;
            }
        }
        if ctx.rng.random_bool(0.3) {
            clone_root(ctx, "c1", "c2")?;
            if ctx.rng.random_bool(0.3) {
                session(ctx, "c2")?;
            }
        }
        if ctx.rng.random_bool(0.25) {
            // delete a checkpoint of p as part of history
            let st = ctx.st.clone();
            let cps = block(async move { list_cps(&st, "p").await });
            if let Some(c) = cps.choose(&mut ctx.rng) {
                let id = c.id;
                let st = ctx.st.clone();
                block(async move { st.admin("p").delete_checkpoint(id).await })?;
                ctx.step(format!("[p] Admin::delete_checkpoint({id}) (history)"));
            }
        }
        if ctx.rng.random_bool(0.3) {
            gc_run(ctx, "p")?;
        }
    }
    if ctx.rng.random_bool(0.3) {
        session(ctx, "p")?;
    }
    Ok(())
}

fn history_focus(ctx: &mut Ctx) -> Result<()> {
    let n1 = ctx.rng.random_range(1..4);
    for _ in 0..n1 {
        session(ctx, "p")?;
        if ctx.rng.random_bool(0.3) {
            block(detached_checkpoint(ctx, "p"))?;
        }
    }
    clone_root(ctx, "p", "c1")?;
    if ctx.rng.random_bool(0.7) {
        session(ctx, "c1")?;
    }
    if ctx.rng.random_bool(0.8) {
        block(detached_checkpoint(ctx, "c1"))?;
    }
    if ctx.rng.random_bool(0.5) {
        clone_root(ctx, "c1", "c2")?;
    }
    // p moves on: more L0s, compaction, GC
    for _ in 0..ctx.rng.random_range(0..3) {
        session(ctx, "p")?;
    }
    if ctx.rng.random_bool(0.5) {
        gc_run(ctx, "p")?;
    }
    if ctx.rng.random_bool(0.3) {
        session(ctx, "c1")?;
    }
    Ok(())
}

/// expected content for a clone from checkpoint id of root, using the reference clone
fn expected_for_cp(ctx: &Ctx, id: Uuid, refc: &BTreeMap<Uuid, std::result::Result<State, String>>) -> Option<State> {
    if let Some(ci) = ctx.cps.get(&id) {
        if ci.kind == "All" {
            return Some(ci.state_at.clone());
        }
        // Durable / detached: what the undamaged reference clone gave, if it is a state of the history
        if let Some(Ok(r)) = refc.get(&id) {
            if r == &ci.state_at {
                return Some(r.clone());
            }
            if ctx.snaps.get(&ci.root).map(|v| v.contains(r)).unwrap_or(false) || r.is_empty() {
                return Some(r.clone());
            }
        }
        return Some(ci.state_at.clone());
    }
    match refc.get(&id) {
        Some(Ok(r)) => Some(r.clone()),
        _ => None,
    }
}

fn finish(ctx: &mut Ctx, sdir: &FsPath, result: &mut Value, hist_ok: bool) {
    let st = ctx.st.clone();
    // ---------- reference clones from every live checkpoint (undamaged copy)
    let refst = st.copy_to(&sdir.join("ref"));
    let roots = ctx.roots.clone();
    let mut refc: BTreeMap<Uuid, std::result::Result<State, String>> = BTreeMap::new();
    let mut cp_root: BTreeMap<Uuid, String> = BTreeMap::new();
    let mut cp_list = vec![];
    {
        let roots2 = roots.clone();
        let rs = refst.clone();
        let out = block(async move {
            let mut out = vec![];
            let mut n = 0;
            for r in &roots2 {
                for c in list_cps(&rs, r).await {
                    n += 1;
                    let got = clone_and_read(&rs, r, Some(c.id), &format!("ref{n}")).await.map_err(|e| e.to_string());
                    out.push((r.clone(), c, got));
                }
            }
            out
        });
        for (r, c, got) in out {
            cp_root.insert(c.id, r.clone());
            cp_list.push(json!({"root": r, "id": c.id.to_string(), "manifest_id": c.manifest_id,
                "expire_time": c.expire_time.map(|t| t.to_rfc3339()), "name": c.name,
                "ours": ctx.cps.get(&c.id).map(|x| x.kind.clone()),
                "ref_clone": match &got { Ok(s) => format!("ok {} keys", s.len()), Err(e) => e.clone() }}));
            if let (Some(ci), Ok(s)) = (ctx.cps.get(&c.id), &got) {
                if s != &ci.state_at {
                    ctx.notes.push(format!(
                        "undamaged reference clone from {} checkpoint {} differs from acked state at checkpoint: {}",
                        ci.kind, c.id, diff(&ci.state_at, s, "ref").join("; ")
                    ));
                }
            }
            refc.insert(c.id, got);
        }
    }
    result["checkpoints"] = json!(cp_list);
    // undamaged reads for reference
    {
        let mut undam = serde_json::Map::new();
        for r in &roots {
            let e = ctx.state.get(r).cloned().unwrap_or_default();
            let rs = refst.clone();
            let r2 = r.clone();
            let res = block(async move { check_read(&rs, &r2, &e).await });
            undam.insert(r.clone(), json!(res.err().unwrap_or("ok".into())));
        }
        result["undamaged_reads"] = Value::Object(undam);
    }
    // ---------- an earlier collection, as an operator who runs `slatecheck collect` before
    // maintenance has one: the store as it was right before the damage (judged with
    // `--earlier-bundle` by rejudge.py)
    if hist_ok {
        let mut collect = vec!["collect".to_string(), "--output".into(), sdir.join("earlier.tar.gz").display().to_string()];
        if st.sep_wal {
            collect.push("--wal-store".into());
            collect.push(st.wal_dir.display().to_string());
        }
        collect.push(st.main_dir.display().to_string());
        let out = Command::new(slatecheck_bin()).args(&collect).output().unwrap();
        result["earlier_bundle"] = json!(if out.status.success() { "collected".to_string() } else {
            String::from_utf8_lossy(&out.stderr).chars().take(400).collect::<String>()
        });
    }
    // ---------- damage
    let damage = if hist_ok { apply_damage(ctx) } else { "none (history failed)".into() };
    result["damage"] = json!(damage);
    ctx.step(format!("DAMAGE: {damage}"));
    // ---------- action
    let action = pick_action(ctx, &cp_root);
    result["action"] = json!(action);
    // ---------- slatecheck
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let gcish = action.starts_with("gc:") || action.starts_with("delete-checkpoint:");
    let mut live = vec!["check".to_string(), "--store".into(), st.main_dir.display().to_string()];
    if st.sep_wal {
        live.push("--wal-store".into());
        live.push(st.wal_dir.display().to_string());
    }
    let mut common = vec!["--plan".to_string(), action.clone(), "--now".into(), now.clone()];
    if gcish {
        common.push("--min-age".into());
        common.push("0s".into());
    }
    common.push("--format".into());
    common.push("json".into());
    write_listing(&st.main_dir, &sdir.join("main.txt"));
    let mut off = vec!["check".to_string(), "--listing".into(), sdir.join("main.txt").display().to_string()];
    if st.sep_wal {
        write_listing(&st.wal_dir, &sdir.join("wal.txt"));
        off.push("--wal-listing".into());
        off.push(sdir.join("wal.txt").display().to_string());
    }
    off.push("--manifests".into());
    off.push(st.main_dir.display().to_string());
    let mut out = serde_json::Map::new();
    for (name, base) in [("live", &live), ("offline", &off)] {
        let mut a = base.clone();
        a.extend(common.clone());
        let r = run_sc(&a);
        let inconc = r["verdict"] == "inconclusive";
        out.insert(name.into(), r);
        if inconc {
            if ctx.all_closed_properly {
                let mut a2 = a.clone();
                a2.push("--writers-closed".into());
                out.insert(format!("{name}_writers_closed"), run_sc(&a2));
            }
            if !st.sep_wal {
                let mut a2 = a.clone();
                a2.push("--no-wal-store".into());
                out.insert(format!("{name}_no_wal_store"), run_sc(&a2));
            }
        }
    }
    result["slatecheck"] = Value::Object(out);
    result["all_closed_properly"] = json!(ctx.all_closed_properly);
    // keep a copy of the damaged store
    st.copy_to(&sdir.join("damaged"));
    // ---------- perform action
    let (outcome, detail) = perform_action(ctx, &action, &refc, &cp_root, sdir);
    result["outcome"] = json!(outcome);
    result["outcome_detail"] = detail;
}

fn apply_damage(ctx: &mut Ctx) -> String {
    let st = ctx.st.clone();
    let kinds = [
        "none", "none", "wal-in-range", "wal-in-range", "wal-after", "wipe-wal-p", "wipe-wal-store", "del-compacted",
        "del-cp-manifest", "del-latest-manifest", "del-checkpoint", "wal-old",
    ];
    if ctx.focus && ctx.rng.random_bool(0.6) {
        let st2 = st.clone();
        let cps = block(async move { list_cps(&st2, "p").await });
        let foreign: Vec<_> = cps.into_iter().filter(|c| !ctx.cps.contains_key(&c.id)).collect();
        if let Some(c) = foreign.choose(&mut ctx.rng).cloned() {
            ctx.damage_cp = Some(c.id);
            if ctx.rng.random_bool(0.7) {
                let st2 = st.clone();
                let res = block(async move { st2.admin("p").delete_checkpoint(c.id).await });
                return format!("deleted SlateDB-own checkpoint {} of p (pin/ephemeral, manifest {}, expire {:?}) via Admin::delete_checkpoint: {:?}", c.id, c.manifest_id, c.expire_time, res.is_ok());
            } else {
                let f = st.main_dir.join("p").join("manifest").join(format!("{:020}.manifest", c.manifest_id));
                let ok = std::fs::remove_file(&f).is_ok();
                return format!("deleted manifest {} of p that SlateDB-own checkpoint {} (pin/ephemeral) points at: {ok}", c.manifest_id, c.id);
            }
        }
    }
    if ctx.focus2 {
        let k = *["wal-in-range", "wal-in-range", "wal-after", "wipe-wal-p", "wipe-wal-store", "none"].choose(&mut ctx.rng).unwrap();
        if let Some(d) = damage_wal(ctx, k, "p") {
            return d;
        }
    }
    let tkinds = ["none", "wal-in-range", "wal-in-range", "wal-after", "wal-after", "wipe-wal-p", "wipe-wal-store", "del-latest-manifest", "del-cp-manifest", "del-checkpoint", "wal-old"];
    for _attempt in 0..4 {
        let k = if ctx.tricky { *tkinds.choose(&mut ctx.rng).unwrap() } else { *kinds.choose(&mut ctx.rng).unwrap() };
        let root = if ctx.roots.len() > 1 && ctx.rng.random_bool(0.25) {
            ctx.roots.choose(&mut ctx.rng).unwrap().clone()
        } else {
            "p".to_string()
        };
        match k {
            "none" => return "none".into(),
            "wal-in-range" | "wal-after" | "wal-old" => {
                let st2 = st.clone();
                let r2 = root.clone();
                let m = block(async move { latest_manifest_json(&st2, &r2).await });
                let Some(m) = m else { continue };
                let ra = find_u64(&m, "replay_after_wal_id").unwrap_or(0);
                let nx = find_u64(&m, "next_wal_sst_id").unwrap_or(0);
                let ids = wal_ids(&st, &root);
                let cand: Vec<u64> = ids
                    .iter()
                    .copied()
                    .filter(|&i| match k {
                        "wal-in-range" => i > ra && i < nx,
                        "wal-after" => i >= nx,
                        _ => i <= ra,
                    })
                    .collect();
                let Some(&id) = cand.choose(&mut ctx.rng) else { continue };
                let f = st.wal_root_dir(&root).join(format!("{:020}.sst", id));
                let size = std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
                std::fs::remove_file(&f).unwrap();
                return format!(
                    "deleted WAL object {root}/wal/{:020}.sst ({size} B) [{k}; latest manifest {} replay_after_wal_id={ra} next_wal_sst_id={nx}; WAL ids present before: {:?}]",
                    id,
                    find_u64(&m, "id").unwrap_or(0),
                    ids
                );
            }
            "wipe-wal-p" => {
                let d = st.wal_root_dir(&root);
                let ids = wal_ids(&st, &root);
                let _ = std::fs::remove_dir_all(&d);
                return format!("wiped {root}/wal/ (ids {:?}) in {} store", ids, if st.sep_wal { "WAL" } else { "main" });
            }
            "wipe-wal-store" => {
                if st.sep_wal {
                    let _ = std::fs::remove_dir_all(&st.wal_dir);
                    std::fs::create_dir_all(&st.wal_dir).unwrap();
                    return "wiped the whole WAL store (every root's wal/)".into();
                } else {
                    for r in &ctx.roots {
                        let _ = std::fs::remove_dir_all(st.wal_root_dir(r));
                    }
                    return "wiped every root's wal/ folder (main store, no WAL store)".into();
                }
            }
            "del-compacted" => {
                let files: Vec<_> = list_files(&st.main_dir.join(&root).join("compacted"));
                let Some((f, sz)) = files.choose(&mut ctx.rng).cloned() else { continue };
                std::fs::remove_file(st.main_dir.join(&root).join("compacted").join(&f)).unwrap();
                return format!("deleted compacted SST {root}/compacted/{f} ({sz} B) of {} compacted", files.len());
            }
            "del-cp-manifest" => {
                let st2 = st.clone();
                let r2 = root.clone();
                let cps = block(async move { list_cps(&st2, &r2).await });
                let Some(c) = cps.choose(&mut ctx.rng) else { continue };
                let f = st.main_dir.join(&root).join("manifest").join(format!("{:020}.manifest", c.manifest_id));
                if !f.exists() {
                    continue;
                }
                std::fs::remove_file(&f).unwrap();
                if root == "p" { ctx.damage_cp = Some(c.id); }
                return format!("deleted manifest {} of {root} that checkpoint {} ({:?}) points at", c.manifest_id, c.id, c.name);
            }
            "del-latest-manifest" => {
                let files = list_files(&st.main_dir.join(&root).join("manifest"));
                let Some((f, _)) = files.iter().filter(|(f, _)| f.ends_with(".manifest")).last().cloned() else { continue };
                std::fs::remove_file(st.main_dir.join(&root).join("manifest").join(&f)).unwrap();
                return format!("deleted latest manifest {root}/manifest/{f}");
            }
            "del-checkpoint" => {
                let st2 = st.clone();
                let r2 = root.clone();
                let cps = block(async move { list_cps(&st2, &r2).await });
                let Some(c) = cps.choose(&mut ctx.rng).cloned() else { continue };
                let st2 = st.clone();
                let r2 = root.clone();
                let res = block(async move { st2.admin(&r2).delete_checkpoint(c.id).await });
                if root == "p" { ctx.damage_cp = Some(c.id); }
                return format!("deleted checkpoint {} ({:?}, manifest {}) of {root} via Admin::delete_checkpoint: {:?}", c.id, c.name, c.manifest_id, res.is_ok());
            }
            _ => {}
        }
    }
    "none".into()
}

fn damage_wal(ctx: &mut Ctx, k: &str, root: &str) -> Option<String> {
    let st = ctx.st.clone();
    match k {
        "none" => Some("none".into()),
        "wipe-wal-p" => {
            let ids = wal_ids(&st, root);
            let _ = std::fs::remove_dir_all(st.wal_root_dir(root));
            Some(format!("wiped {root}/wal/ (ids {:?})", ids))
        }
        "wipe-wal-store" => {
            for r in &ctx.roots {
                let _ = std::fs::remove_dir_all(st.wal_root_dir(r));
            }
            Some("wiped every root's wal/".into())
        }
        _ => {
            let st2 = st.clone();
            let r2 = root.to_string();
            let m = block(async move { latest_manifest_json(&st2, &r2).await })?;
            let ra = find_u64(&m, "replay_after_wal_id").unwrap_or(0);
            let nx = find_u64(&m, "next_wal_sst_id").unwrap_or(0);
            let ids = wal_ids(&st, root);
            let cand: Vec<u64> = ids.iter().copied().filter(|&i| if k == "wal-in-range" { i > ra && i < nx } else { i >= nx }).collect();
            let id = *cand.choose(&mut ctx.rng)?;
            let f = st.wal_root_dir(root).join(format!("{:020}.sst", id));
            let size = std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
            std::fs::remove_file(&f).ok()?;
            Some(format!("deleted WAL object {root}/wal/{:020}.sst ({size} B) [{k}; latest manifest {} replay_after_wal_id={ra} next_wal_sst_id={nx}; WAL ids present before: {:?}]", id, find_u64(&m, "id").unwrap_or(0), ids))
        }
    }
}

fn pick_action(ctx: &mut Ctx, cp_root: &BTreeMap<Uuid, String>) -> String {
    if ctx.focus2 {
        return ["open:p", "read:p", "clone:p", "wipe-wal:p", "read:p", "open:p"].choose(&mut ctx.rng).unwrap().to_string();
    }
    let has_c1 = ctx.roots.contains(&"c1".to_string());
    let pick_cp = |ctx: &mut Ctx, root: &str| -> Option<Uuid> {
        let v: Vec<Uuid> = cp_root.iter().filter(|(_, r)| r.as_str() == root).map(|(k, _)| *k).collect();
        v.choose(&mut ctx.rng).copied()
    };
    if ctx.focus {
        let c1cp = pick_cp(ctx, "c1");
        let pforeign: Vec<Uuid> = cp_root.iter().filter(|(k, r)| r.as_str() == "p" && !ctx.cps.contains_key(*k)).map(|(k, _)| *k).collect();
        let pf = pforeign.choose(&mut ctx.rng).copied();
        for _ in 0..20 {
            let a = match ctx.rng.random_range(0..9) {
                0 | 1 => c1cp.map(|id| format!("clone:c1@{id}")),
                2 => Some("clone:c1".to_string()),
                3 => Some("read:c1".to_string()),
                4 => Some("open:c1".to_string()),
                5 => pf.or(ctx.damage_cp).map(|id| format!("delete-checkpoint:p@{id}")),
                6 => Some("gc:p".to_string()),
                7 => Some("delete-root:p".to_string()),
                _ => ctx.damage_cp.or(pf).map(|id| format!("clone:p@{id}")),
            };
            if let Some(a) = a {
                return a;
            }
        }
    }
    if let Some(id) = ctx.damage_cp {
        if ctx.rng.random_bool(0.5) {
            return format!("clone:p@{id}");
        }
    }
    for _ in 0..20 {
        let x = ctx.rng.random_range(0..100);
        let a = match x {
            0..=15 => pick_cp(ctx, "p").map(|id| format!("clone:p@{id}")),
            16..=23 => Some("clone:p".to_string()),
            24..=33 => Some("open:p".to_string()),
            34..=41 => Some("read:p".to_string()),
            42..=49 => if has_c1 { Some("read:c1".to_string()) } else { None },
            50..=61 => Some("wipe-wal:p".to_string()),
            62..=71 => Some("gc:p".to_string()),
            72..=81 => pick_cp(ctx, "p").map(|id| format!("delete-checkpoint:p@{id}")),
            82..=89 => Some("delete-root:p".to_string()),
            90..=92 => if has_c1 { Some("wipe-wal:c1".to_string()) } else { None },
            93..=95 => if has_c1 { Some("open:c1".to_string()) } else { None },
            _ => if has_c1 { pick_cp(ctx, "c1").map(|id| format!("clone:c1@{id}")) } else { None },
        };
        if let Some(a) = a {
            return a;
        }
    }
    "read:p".into()
}

/// Probes: read of every root and clone from every live (non-expired) checkpoint.
fn run_probes(
    ctx: &Ctx,
    st: &Stores,
    refc: &BTreeMap<Uuid, std::result::Result<State, String>>,
    only: Option<&BTreeSet<String>>,
    exclude: &dyn Fn(&str) -> bool,
) -> BTreeMap<String, std::result::Result<(), String>> {
    let mut out = BTreeMap::new();
    let now = chrono::Utc::now();
    for r in &ctx.roots {
        let name = format!("read:{r}");
        if exclude(&name) || only.map(|o| !o.contains(&name)).unwrap_or(false) {
            continue;
        }
        let e = ctx.state.get(r).cloned().unwrap_or_default();
        let (st2, r2) = (st.clone(), r.clone());
        out.insert(name, block(async move { check_read(&st2, &r2, &e).await }));
    }
    let mut n = 0;
    for r in &ctx.roots {
        let (st2, r2) = (st.clone(), r.clone());
        let cps = block(async move { list_cps(&st2, &r2).await });
        for c in cps {
            if c.expire_time.map(|t| t <= now).unwrap_or(false) {
                continue; // expired: garbage by definition
            }
            let name = format!("clone:{r}@{}", c.id);
            if exclude(&name) || only.map(|o| !o.contains(&name)).unwrap_or(false) {
                continue;
            }
            let Some(exp) = expected_for_cp(ctx, c.id, refc) else { continue };
            n += 1;
            let (st2, r2, id) = (st.clone(), r.clone(), c.id);
            let got = block(async move { clone_and_read(&st2, &r2, Some(id), &format!("probe{n}")).await });
            let res = match got {
                Err(e) => Err(e.to_string()),
                Ok(s) => {
                    let d = diff(&exp, &s, "clone");
                    if d.is_empty() { Ok(()) } else { Err(d.join("; ")) }
                }
            };
            out.insert(name, res);
        }
    }
    // previously probed checkpoints that are gone now count as failures
    if let Some(o) = only {
        for name in o {
            if !out.contains_key(name) && !exclude(name) {
                out.insert(name.clone(), Err("checkpoint no longer listed (gone)".into()));
            }
        }
    }
    out
}

fn perform_action(
    ctx: &mut Ctx,
    action: &str,
    refc: &BTreeMap<Uuid, std::result::Result<State, String>>,
    _cp_root: &BTreeMap<Uuid, String>,
    sdir: &FsPath,
) -> (String, Value) {
    let st = ctx.st.clone();
    let (kind, rest) = action.split_once(':').unwrap();
    let set_b = matches!(kind, "wipe-wal" | "gc" | "delete-checkpoint" | "delete-root");
    if !set_b {
        let res: std::result::Result<(), String> = match kind {
            "read" => {
                let e = ctx.state.get(rest).cloned().unwrap_or_default();
                let r = rest.to_string();
                block(async move { check_read(&st, &r, &e).await })
            }
            "open" => {
                let e = ctx.state.get(rest).cloned().unwrap_or_default();
                let u = universe(&e);
                let s = settings(ctx);
                let r = rest.to_string();
                block(async move {
                    match with_timeout(90, read_writer(&st, &r, s, &u)).await {
                        Err(e) => Err(format!("error: {e}")),
                        Ok((g, sc)) => {
                            let mut d = diff(&e, &g, "get");
                            d.extend(diff(&e, &sc, "scan"));
                            if d.is_empty() { Ok(()) } else { Err(d.join("; ")) }
                        }
                    }
                })
            }
            "clone" => {
                let (src, cp) = match rest.split_once('@') {
                    Some((s, c)) => (s.to_string(), Some(Uuid::parse_str(c).unwrap())),
                    None => (rest.to_string(), None),
                };
                let exp = match cp {
                    Some(id) => expected_for_cp(ctx, id, refc),
                    None => ctx.state.get(&src).cloned(),
                };
                let got = block(async move { clone_and_read(&st, &src, cp, "x").await });
                match (got, exp) {
                    (Err(e), _) => Err(e.to_string()),
                    (Ok(_), None) => Ok(()),
                    (Ok(s), Some(e)) => {
                        let d = diff(&e, &s, "clone");
                        if d.is_empty() { Ok(()) } else { Err(d.join("; ")) }
                    }
                }
            }
            _ => Err("unknown".into()),
        };
        return match res {
            Ok(()) => ("ok".into(), json!("action worked, contents equal")),
            Err(e) => ("failed".into(), json!(e)),
        };
    }
    // Set B: probes before on a copy
    let root = rest.split('@').next().unwrap().to_string();
    let act = action.to_string();
    let rootc = root.clone();
    let exclude = move |probe: &str| -> bool {
        if act.starts_with("delete-root:") {
            return probe == format!("read:{rootc}") || probe.starts_with(&format!("clone:{rootc}@"));
        }
        if let Some(x) = act.strip_prefix("delete-checkpoint:") {
            return probe == format!("clone:{x}");
        }
        false
    };
    let before_st = st.copy_to(&sdir.join("probe_before"));
    let before = run_probes(ctx, &before_st, refc, None, &exclude);
    let worked: BTreeSet<String> = before.iter().filter(|(_, r)| r.is_ok()).map(|(k, _)| k.clone()).collect();
    // the action itself
    let act_res: std::result::Result<(), String> = match kind {
        "wipe-wal" => {
            let _ = std::fs::remove_dir_all(st.wal_root_dir(&root));
            Ok(())
        }
        "delete-root" => {
            let _ = std::fs::remove_dir_all(st.main_dir.join(&root));
            let _ = std::fs::remove_dir_all(st.wal_dir.join(&root));
            Ok(())
        }
        "gc" => {
            let st2 = st.clone();
            let r2 = root.clone();
            block(async move { with_timeout(60, async { Ok(st2.admin(&r2).run_gc_once(gc_opts()).await?) }).await })
                .map_err(|e| e.to_string())
        }
        "delete-checkpoint" => {
            let id = Uuid::parse_str(rest.split_once('@').unwrap().1).unwrap();
            let st2 = st.clone();
            let r2 = root.clone();
            block(async move {
                with_timeout(60, async {
                    st2.admin(&r2).delete_checkpoint(id).await?;
                    st2.admin(&r2).run_gc_once(gc_opts()).await?;
                    Ok(())
                })
                .await
            })
            .map_err(|e| e.to_string())
        }
        _ => Err("unknown".into()),
    };
    let after_st = st.copy_to(&sdir.join("probe_after"));
    let after = run_probes(ctx, &after_st, refc, Some(&worked), &exclude);
    let broken: Vec<String> = after
        .iter()
        .filter(|(k, r)| worked.contains(*k) && r.is_err())
        .map(|(k, r)| format!("{k}: {}", r.as_ref().err().unwrap()))
        .collect();
    let detail = json!({
        "action_result": format!("{:?}", act_res),
        "probes_before": before.iter().map(|(k, r)| (k.clone(), json!(r.as_ref().err().cloned().unwrap_or("ok".into())))).collect::<serde_json::Map<_,_>>(),
        "broken_after": broken,
    });
    if act_res.is_err() {
        return ("failed".into(), detail);
    }
    if broken.is_empty() { ("ok".into(), detail) } else { ("failed".into(), detail) }
}
