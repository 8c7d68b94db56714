//! Local servers that speak the real cloud protocols, on 127.0.0.1 and a free port, each
//! stopped (killed and reaped) when its handle drops: moto (S3), Azurite (Azure Blob) and
//! fake-gcs-server (GCS), as installed by scripts/setup-clouds. Buckets are made with plain
//! HTTP (moto and fake-gcs-server take unsigned requests) or rclone (Azurite wants SharedKey).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Azurite's well-known development account and key (public, in every Azure SDK).
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port on 127.0.0.1")
}

fn installed(path: PathBuf, what: &str) -> PathBuf {
    assert!(
        path.exists(),
        "{what} is not installed ({}): run scripts/setup-clouds (scripts/test does)",
        path.display()
    );
    path
}

fn on_path(command: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(command))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("{command} is not installed: run scripts/setup-clouds (scripts/test does)")
        })
}

/// A running server; killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    pub name: &'static str,
    _dir: Option<PathBuf>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = &self._dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl Server {
    fn start(name: &'static str, mut command: Command, port: u16, dir: Option<PathBuf>) -> Self {
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {name}: {err}"));
        let server = Server {
            child,
            port,
            name,
            _dir: dir,
        };
        // The machine may be busy building: give a slow start two minutes.
        let deadline = Instant::now() + Duration::from_secs(120);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "{name} did not listen on 127.0.0.1:{port} within 120 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// moto's S3 server.
    pub fn moto() -> Self {
        let port = free_port();
        let mut command = Command::new(on_path("moto_server"));
        command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        Self::start("moto_server", command, port, None)
    }

    /// Azurite's Blob service, in a scratch folder removed on drop.
    pub fn azurite() -> Self {
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("slatecheck-azurite-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("azurite dir");
        let mut command = Command::new(installed(
            repo().join("tools/npm/node_modules/.bin/azurite-blob"),
            "Azurite",
        ));
        command
            .args([
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                &port.to_string(),
                "--silent",
                "--skipApiVersionCheck",
                "--location",
            ])
            .arg(&dir);
        Self::start("azurite-blob", command, port, Some(dir))
    }

    /// fake-gcs-server, in memory, over plain HTTP.
    pub fn fake_gcs() -> Self {
        let port = free_port();
        let mut command = Command::new(installed(
            repo().join("tools/bin/fake-gcs-server"),
            "fake-gcs-server",
        ));
        command.args([
            "-scheme",
            "http",
            "-host",
            "127.0.0.1",
            "-port",
            &port.to_string(),
            "-backend",
            "memory",
            "-log-level",
            "error",
            // object_store lists and reads through the XML API (`GET /bucket?list-type=2`),
            // which the server serves only to requests addressed to its public host.
            "-public-host",
            &format!("127.0.0.1:{port}"),
        ]);
        Self::start("fake-gcs-server", command, port, None)
    }

    /// The environment that points slatecheck (object_store) and the CLIs at this server.
    pub fn env(&self) -> Vec<(String, String)> {
        let pairs: Vec<(&str, String)> = match self.name {
            "moto_server" => vec![
                ("AWS_ENDPOINT_URL", self.url()),
                ("AWS_ALLOW_HTTP", "true".into()),
                ("AWS_ACCESS_KEY_ID", "test".into()),
                ("AWS_SECRET_ACCESS_KEY", "test".into()),
                ("AWS_REGION", "us-east-1".into()),
                ("AWS_DEFAULT_REGION", "us-east-1".into()),
            ],
            "azurite-blob" => vec![
                ("AZURE_STORAGE_USE_EMULATOR", "true".into()),
                ("AZURITE_BLOB_STORAGE_URL", self.url()),
            ],
            _ => vec![
                ("GOOGLE_BASE_URL", self.url()),
                ("GOOGLE_SKIP_SIGNATURE", "true".into()),
                ("STORAGE_EMULATOR_HOST", self.url()),
                // Where object_store would ask for a token: nowhere that answers, so a
                // request that needs one fails here instead of reaching a cloud.
                ("GCE_METADATA_HOST", "127.0.0.1:9".into()),
                ("GCE_METADATA_IP", "127.0.0.1:9".into()),
            ],
        };
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// The URL scheme slatecheck takes for this server.
    pub fn scheme(&self) -> &'static str {
        match self.name {
            "moto_server" => "s3",
            "azurite-blob" => "az",
            _ => "gs",
        }
    }

    /// Makes a bucket (container).
    pub fn make_bucket(&self, bucket: &str) {
        match self.name {
            "moto_server" => {
                let status = http(self.port, "PUT", &format!("/{bucket}"), "");
                assert!(
                    status.starts_with("HTTP/1.1 200"),
                    "moto: create {bucket}: {status}"
                );
            }
            "azurite-blob" => {
                let status = Command::new(on_path("rclone"))
                    .env("RCLONE_CONFIG", "/dev/null")
                    .args(["mkdir", &format!("{}:{bucket}", self.rclone_remote())])
                    .status()
                    .expect("rclone runs");
                assert!(status.success(), "rclone mkdir {bucket} on Azurite");
            }
            _ => {
                let body = format!("{{\"name\":\"{bucket}\"}}");
                let status = http(self.port, "POST", "/storage/v1/b?project=test", &body);
                assert!(
                    status.starts_with("HTTP/1.1 200"),
                    "fake-gcs: create {bucket}: {status}"
                );
            }
        }
    }

    /// Uploads one object to fake-gcs-server through the JSON API's media upload, unsigned.
    /// (object_store's GCS client uploads through the XML API, which this server does not
    /// serve, and signs with a token it would ask the cloud's metadata endpoint for.)
    pub fn gcs_upload(&self, bucket: &str, key: &str, bytes: &[u8]) {
        let name: String = key
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let path = format!("/upload/storage/v1/b/{bucket}/o?uploadType=media&name={name}");
        let status = http_bytes(self.port, "POST", &path, "application/octet-stream", bytes);
        assert!(
            status.starts_with("HTTP/1.1 200"),
            "fake-gcs: upload {bucket}/{key}: {status}"
        );
    }

    /// An rclone on-the-fly remote for this server (`:backend,options`).
    pub fn rclone_remote(&self) -> String {
        match self.name {
            "moto_server" => format!(":s3,provider=Other,access_key_id=test,secret_access_key=test,region=us-east-1,force_path_style=true,endpoint='{}'", self.url()),
            "azurite-blob" => format!(":azureblob,use_emulator=true,endpoint='{}/{AZURITE_ACCOUNT}'", self.url()),
            _ => format!(":gcs,anonymous=true,endpoint='{}/storage/v1/'", self.url()),
        }
    }
}

/// One HTTP/1.1 request with a JSON body; returns the status line.
fn http(port: u16, method: &str, path: &str, body: &str) -> String {
    http_bytes(port, method, path, "application/json", body.as_bytes())
}

/// One HTTP/1.1 request; returns the status line.
fn http_bytes(port: u16, method: &str, path: &str, content_type: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .and_then(|()| stream.write_all(body))
    .expect("send");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.lines().next().unwrap_or_default().to_string()
}

/// A server that accepts connections and never answers: a metadata endpoint or a store that
/// hangs. Stops with the handle.
pub struct Silent {
    pub port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Silent {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok((stream, _)) = listener.accept() {
                    held.push(stream);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Silent { port, stop }
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}
