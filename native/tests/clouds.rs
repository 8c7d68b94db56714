//! Live `s3://`, `az://` and `gs://` stores against real protocol servers on 127.0.0.1 (moto,
//! Azurite and fake-gcs-server; scripts/setup-clouds installs them): every fixture store uploaded
//! under its keys gives the same report through the cloud as from its directory, and so does a
//! bundle collected from the cloud. Every check runs at the time the fixture was written
//! (`--now`), since the objects' own times are when the test uploads or checks them out.

mod common;

use common::files::{keys_below, scratch, written_at};
use common::servers::{Server, AZURITE_ACCOUNT, AZURITE_KEY};
use object_store::path::Path as StorePath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/v2");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("fixtures/v2")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.join("main").is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// An object_store client for a bucket of the S3 or Azure `server`, configured without the
/// environment.
fn client(server: &Server, bucket: &str) -> Arc<dyn ObjectStore> {
    let http = ClientOptions::new().with_allow_http(true);
    match server.scheme() {
        "s3" => Arc::new(
            object_store::aws::AmazonS3Builder::new()
                .with_endpoint(server.url())
                .with_access_key_id("test")
                .with_secret_access_key("test")
                .with_region("us-east-1")
                .with_bucket_name(bucket)
                .with_client_options(http)
                .build()
                .expect("S3 client"),
        ),
        "az" => Arc::new(
            object_store::azure::MicrosoftAzureBuilder::new()
                .with_account(AZURITE_ACCOUNT)
                .with_access_key(AZURITE_KEY)
                .with_endpoint(format!("{}/{AZURITE_ACCOUNT}", server.url()))
                .with_container_name(bucket)
                .with_client_options(http)
                .build()
                .expect("Azure client"),
        ),
        other => panic!("no object_store upload client for {other}"),
    }
}

/// Makes `bucket` and uploads every file of `dir` under its key.
fn upload(server: &Server, bucket: &str, dir: &Path) {
    server.make_bucket(bucket);
    if server.scheme() == "gs" {
        for (key, path) in keys_below(dir) {
            let bytes = std::fs::read(&path).expect("read fixture file");
            server.gcs_upload(bucket, &key, &bytes);
        }
        return;
    }
    let store = client(server, bucket);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for (key, path) in keys_below(dir) {
            let bytes = std::fs::read(&path).expect("read fixture file");
            store
                .put(&StorePath::from(key.as_str()), PutPayload::from(bytes))
                .await
                .unwrap_or_else(|err| panic!("{}: upload {key}: {err}", server.name));
        }
    });
}

fn slatecheck(args: &[String], env: &[(String, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slatecheck"));
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("slatecheck runs")
}

/// The plans asked of every root of a fixture.
fn plans(fixture: &Path) -> Vec<String> {
    let mut roots: Vec<String> = std::fs::read_dir(fixture.join("main"))
        .expect("main")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    roots.sort();
    let mut plans = Vec::new();
    for root in roots {
        for action in ["clone", "open", "read", "gc", "wipe-wal", "delete-root"] {
            plans.extend(["--plan".to_string(), format!("{action}:{root}")]);
        }
    }
    plans
}

/// What must agree between two reports of the same store: the verdict, each plan's verdict,
/// predicted error and objects, and each finding's rule, severity, root and message.
fn essence(out: &Output, what: &str) -> Value {
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|err| {
        panic!(
            "{what}: no JSON report ({err}), exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let plans: Vec<Value> = report["plans"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|plan| {
            serde_json::json!({
                "plan": plan["plan"], "verdict": plan["verdict"],
                "predicted_error": plan["predicted_error"], "objects": plan["objects"], "rules": plan["rules"],
            })
        })
        .collect();
    let findings: Vec<Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            serde_json::json!({
                "rule": f["rule"], "severity": f["severity"], "root": f["root"], "message": f["message"],
            })
        })
        .collect();
    serde_json::json!({
        "exit": out.status.code(), "verdict": report["verdict"], "plans": plans, "findings": findings,
    })
}

/// Uploads every fixture to `server` and compares the live check, and the check of a bundle
/// collected from it, with the check of the fixture's directories.
fn every_fixture_agrees(server: Server) {
    let env = server.env();
    let scratch = scratch(&format!("clouds-{}", server.name));
    std::fs::create_dir_all(&scratch).expect("scratch");
    for (index, fixture) in fixtures().into_iter().enumerate() {
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let has_wal = fixture.join("wal").is_dir();
        let main_bucket = format!("fixture-{index}-main");
        let wal_bucket = format!("fixture-{index}-wal");
        upload(&server, &main_bucket, &fixture.join("main"));
        if has_wal {
            upload(&server, &wal_bucket, &fixture.join("wal"));
        }
        let scheme = server.scheme();
        let mut local = vec![
            "check".to_string(),
            "--store".into(),
            fixture.join("main").display().to_string(),
        ];
        let mut live = vec![
            "check".to_string(),
            "--store".into(),
            format!("{scheme}://{main_bucket}"),
        ];
        let mut collect = vec!["collect".to_string(), format!("{scheme}://{main_bucket}")];
        if has_wal {
            local.extend([
                "--wal-store".into(),
                fixture.join("wal").display().to_string(),
            ]);
            live.extend(["--wal-store".into(), format!("{scheme}://{wal_bucket}")]);
            collect.extend(["--wal-store".into(), format!("{scheme}://{wal_bucket}")]);
        }
        let bundle = scratch.join(format!("{name}.tar.gz"));
        collect.extend(["-o".into(), bundle.display().to_string()]);
        let collected = slatecheck(&collect, &env);
        assert_eq!(
            collected.status.code(),
            Some(0),
            "{} {name}: collect: {}",
            server.name,
            String::from_utf8_lossy(&collected.stderr)
        );
        let from_bundle = vec![
            "check".to_string(),
            "--bundle".into(),
            bundle.display().to_string(),
        ];
        let json = [
            "--format".to_string(),
            "json".into(),
            "--now".into(),
            written_at(&fixture),
        ];
        for with_plans in [false, true] {
            let extra: Vec<String> = if with_plans {
                plans(&fixture)
            } else {
                Vec::new()
            };
            let run = |base: &[String]| {
                let mut args = base.to_vec();
                args.extend(extra.iter().cloned());
                args.extend(json.iter().cloned());
                slatecheck(&args, &env)
            };
            let expected = essence(&run(&local), &format!("{name} from its directory"));
            let through_cloud = essence(&run(&live), &format!("{name} through {}", server.name));
            assert_eq!(
                through_cloud, expected,
                "{name}: `check --store {scheme}://…` ({}) and `check --store DIR` disagree (plans: {with_plans})",
                server.name
            );
            let bundled = essence(
                &run(&from_bundle),
                &format!("{name} bundle from {}", server.name),
            );
            // A bundle collected without `--wal-store` asserts that the databases keep their
            // WAL in the main store, as `--no-wal-store` does.
            let expected = if has_wal {
                expected
            } else {
                let mut asserted = local.clone();
                asserted.push("--no-wal-store".into());
                essence(
                    &run(&asserted),
                    &format!("{name} from its directory, no WAL store"),
                )
            };
            assert_eq!(
                bundled, expected,
                "{name}: the bundle collected from {} and `check --store DIR` disagree (plans: {with_plans})",
                server.name
            );
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn every_fixture_through_s3_matches_its_directory() {
    every_fixture_agrees(Server::moto());
}

#[test]
fn every_fixture_through_azure_blob_matches_its_directory() {
    every_fixture_agrees(Server::azurite());
}

#[test]
fn every_fixture_through_gcs_matches_its_directory() {
    every_fixture_agrees(Server::fake_gcs());
}
