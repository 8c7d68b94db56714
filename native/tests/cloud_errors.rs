//! Cloud stores that fail: no credentials, plain HTTP without the switch, a server that never
//! answers, answers 403 or 500, pages forever or breaks off halfway. Each must end in a clear
//! error with exit 2 within a bounded time, never a hang and never a verdict.

mod common;

use common::servers::Silent;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Runs slatecheck with only the given environment (plus PATH and a HOME without cloud
/// configuration), and returns its output and how long it took.
fn run(args: &[&str], env: &[(&str, String)]) -> (Output, Duration) {
    let home = common::files::scratch("cloud-errors-home");
    std::fs::create_dir_all(&home).expect("home");
    let mut command = Command::new(env!("CARGO_BIN_EXE_slatecheck"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home);
    for (key, value) in env {
        command.env(key, value);
    }
    let started = Instant::now();
    let out = command.output().expect("slatecheck runs");
    (out, started.elapsed())
}

fn assert_fails(out: &Output, took: Duration, within: Duration, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stderr: {stderr}\nstdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(took < within, "took {took:?} (bound {within:?}): {stderr}");
    assert!(
        out.stdout.is_empty(),
        "no verdict on a failed store: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    for needle in needles {
        assert!(stderr.contains(needle), "stderr names `{needle}`: {stderr}");
    }
}

fn s3_env(endpoint: String) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ALLOW_HTTP", "true".into()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("SLATECHECK_REQUEST_TIMEOUT", "1".into()),
        ("SLATECHECK_LIST_TIMEOUT", "5".into()),
    ]
}

/// A store URL, the environment it runs in, and the variable its error must name.
type NoCredentialsCase = (&'static str, Vec<(&'static str, String)>, &'static str);

#[test]
fn no_credentials_is_a_clear_error_within_seconds() {
    // A metadata endpoint that accepts connections and never answers, as off-cloud machines
    // often have: it must not be asked unless the user says so.
    let silent = Silent::start();
    let metadata = format!("http://127.0.0.1:{}", silent.port);
    let cases: [NoCredentialsCase; 3] = [
        (
            "s3://bucket/dbs",
            vec![("AWS_REGION", "us-east-1".into())],
            "AWS_ACCESS_KEY_ID",
        ),
        ("gs://bucket/dbs", vec![], "GOOGLE_SERVICE_ACCOUNT"),
        (
            "az://container/dbs",
            vec![("AZURE_STORAGE_ACCOUNT_NAME", "account".into())],
            "AZURE_STORAGE_ACCOUNT_KEY",
        ),
    ];
    for (url, env, variable) in cases {
        let (out, took) = run(&["check", "--store", url], &env);
        assert_fails(
            &out,
            took,
            Duration::from_secs(5),
            &["no credentials found (set", variable, url],
        );
    }
    // Asked for explicitly, the metadata endpoint that never answers is given up on in a
    // bounded time (request timeout 1 s, 2 retries).
    let (out, took) = run(
        &["check", "--store", "s3://bucket/dbs"],
        &[
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_METADATA_ENDPOINT", metadata.clone()),
            ("SLATECHECK_REQUEST_TIMEOUT", "1".into()),
        ],
    );
    assert_fails(&out, took, Duration::from_secs(30), &["s3://bucket/dbs"]);
    let (out, took) = run(
        &["check", "--store", "az://container/dbs"],
        &[
            ("AZURE_STORAGE_ACCOUNT_NAME", "account".into()),
            ("AZURE_MSI_ENDPOINT", metadata),
            ("SLATECHECK_REQUEST_TIMEOUT", "1".into()),
        ],
    );
    assert_fails(&out, took, Duration::from_secs(30), &["az://container/dbs"]);
}

#[test]
fn plain_http_without_the_switch_names_the_variable() {
    let mut env = s3_env("http://127.0.0.1:9".into());
    env.retain(|(key, _)| *key != "AWS_ALLOW_HTTP");
    let (out, took) = run(&["check", "--store", "s3://bucket"], &env);
    assert_fails(
        &out,
        took,
        Duration::from_secs(5),
        &["AWS_ALLOW_HTTP=true", "http://127.0.0.1:9"],
    );
}

#[test]
fn a_server_that_never_answers_is_given_up_on() {
    let silent = Silent::start();
    let (out, took) = run(
        &[
            "check",
            "--store",
            "s3://bucket",
            "--plan",
            "delete-root:parent",
        ],
        &s3_env(format!("http://127.0.0.1:{}", silent.port)),
    );
    assert_fails(&out, took, Duration::from_secs(30), &["listing failed"]);
}

/// A scripted S3 endpoint: `answer(request number, request line)` gives status and body.
fn scripted(answer: fn(usize, &str) -> (u16, String)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // Answers for as long as the test runs: a bounded server runs out of answers on a fast
    // machine before the listing deadline is reached, and the error would be a refused
    // connection instead of the deadline under test.
    std::thread::spawn(move || {
        for (index, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let (status, body) = answer(index, &request);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

fn page(keys: &[&str], next: Option<&str>) -> String {
    let contents: String = keys
        .iter()
        .map(|key| format!("<Contents><Key>{key}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>\"e\"</ETag><Size>10</Size><StorageClass>STANDARD</StorageClass></Contents>"))
        .collect();
    let truncated = match next {
        Some(token) => format!(
            "<IsTruncated>true</IsTruncated><NextContinuationToken>{token}</NextContinuationToken>"
        ),
        None => "<IsTruncated>false</IsTruncated>".into(),
    };
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bucket</Name><Prefix></Prefix><KeyCount>{}</KeyCount><MaxKeys>1000</MaxKeys>{truncated}{contents}</ListBucketResult>", keys.len())
}

#[test]
fn refusals_and_server_errors_end_in_exit_2() {
    for status in [403u16, 500, 503] {
        let port = scripted(match status {
            403 => |_, _| {
                (
                    403,
                    "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
                        .into(),
                )
            },
            500 => |_, _| (500, "<Error><Code>InternalError</Code></Error>".into()),
            _ => |_, _| (503, "<Error><Code>SlowDown</Code></Error>".into()),
        });
        let (out, took) = run(
            &[
                "check",
                "--store",
                "s3://bucket",
                "--plan",
                "delete-root:parent",
            ],
            &s3_env(format!("http://127.0.0.1:{port}")),
        );
        assert_fails(&out, took, Duration::from_secs(30), &["listing failed"]);
    }
}

#[test]
fn a_listing_that_pages_forever_or_breaks_off_is_never_judged() {
    // The same page, with a continuation token, forever.
    let port = scripted(|_, _| {
        (
            200,
            page(
                &["parent/manifest/00000000000000000001.manifest"],
                Some("again"),
            ),
        )
    });
    let (out, took) = run(
        &["check", "--store", "s3://bucket"],
        &s3_env(format!("http://127.0.0.1:{port}")),
    );
    assert_fails(&out, took, Duration::from_secs(30), &["out of key order"]);
    // Empty pages with a continuation token, forever: the listing deadline stops it.
    let port = scripted(|_, _| (200, page(&[], Some("more"))));
    let (out, took) = run(
        &["check", "--store", "s3://bucket"],
        &s3_env(format!("http://127.0.0.1:{port}")),
    );
    assert_fails(
        &out,
        took,
        Duration::from_secs(30),
        &["not finished after 5 s"],
    );
    // One page, then the server fails: never a verdict on the first page.
    let port = scripted(|index, _| {
        if index == 0 {
            (
                200,
                page(
                    &["parent/manifest/00000000000000000001.manifest"],
                    Some("next"),
                ),
            )
        } else {
            (500, "<Error><Code>InternalError</Code></Error>".into())
        }
    });
    let (out, took) = run(
        &[
            "check",
            "--store",
            "s3://bucket",
            "--plan",
            "delete-root:parent",
        ],
        &s3_env(format!("http://127.0.0.1:{port}")),
    );
    assert_fails(&out, took, Duration::from_secs(30), &["listing failed"]);
}
