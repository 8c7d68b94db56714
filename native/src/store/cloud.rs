//! Building the S3, GCS and Azure clients: credentials checked before the first request, and
//! every request bounded in time.
//!
//! object_store's defaults suit a long-running database, not a check a person waits for: 10
//! retries within 180 s, and, with no credentials configured, a probe of the cloud's instance
//! metadata endpoint, which off the cloud either never answers (a hang of 180 s or more) or is
//! the wrong thing to ask. Here a store without credentials is refused at once with the
//! variables to set, the metadata endpoint is asked only when the user says so, and each
//! request times out after `SLATECHECK_REQUEST_TIMEOUT` (30 s) with 2 retries in at most twice
//! that.

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::{BackoffConfig, ClientConfigKey, ObjectStore, RetryConfig};
use std::sync::Arc;
use std::time::Duration;

/// Seconds one request may take (also the connect timeout's upper bound).
const TIMEOUT_VARIABLE: &str = "SLATECHECK_REQUEST_TIMEOUT";
/// Set to `true` to let a store without credentials ask the cloud's instance metadata endpoint
/// (an EC2 instance role, a GCE service account, an Azure managed identity).
pub const METADATA_VARIABLE: &str = "SLATECHECK_USE_INSTANCE_METADATA";

/// Seconds a whole listing may take.
pub const LIST_TIMEOUT_VARIABLE: &str = "SLATECHECK_LIST_TIMEOUT";

fn seconds(variable: &str, default: u64) -> Result<Duration, String> {
    match std::env::var(variable) {
        Err(_) => Ok(Duration::from_secs(default)),
        Ok(text) => match text.trim().parse::<f64>() {
            Ok(seconds) if seconds > 0.0 && seconds <= 86_400.0 => {
                Ok(Duration::from_secs_f64(seconds))
            }
            _ => Err(format!(
                "{variable}={text}: give a number of seconds (default {default})"
            )),
        },
    }
}

/// How long a whole listing may take.
pub fn list_timeout() -> Result<Duration, String> {
    seconds(LIST_TIMEOUT_VARIABLE, 600)
}

fn set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|value| !value.is_empty())
}

fn truthy(name: &str) -> bool {
    std::env::var(name).is_ok_and(|value| {
        matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

fn request_timeout() -> Result<Duration, String> {
    seconds(TIMEOUT_VARIABLE, 30)
}

/// Retries: 2, each after a short backoff, none started after twice the request timeout.
fn retry(timeout: Duration) -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
        },
        max_retries: 2,
        retry_timeout: timeout * 2,
    }
}

/// `(key, value)` client settings: the request and connect timeouts, unless the user set
/// object_store's own (`AWS_TIMEOUT`, `GOOGLE_CONNECT_TIMEOUT`, …).
fn timeouts(
    timeout: Duration,
    user_set: impl Fn(&ClientConfigKey) -> bool,
) -> Vec<(ClientConfigKey, String)> {
    let connect = timeout.min(Duration::from_secs(5));
    [
        (ClientConfigKey::Timeout, timeout),
        (ClientConfigKey::ConnectTimeout, connect),
    ]
    .into_iter()
    .filter(|(key, _)| !user_set(key))
    .map(|(key, value)| (key, format!("{}ms", value.as_millis().max(1))))
    .collect()
}

fn env_with_prefix_set(prefix: &str, key: &ClientConfigKey) -> bool {
    set(&format!("{prefix}{}", key.as_ref().to_ascii_uppercase()))
}

/// An `http://` endpoint needs the allow-http switch; without it reqwest fails every request
/// with "builder error", which names nothing to set.
fn plain_http_refused(
    endpoint: Option<String>,
    allowed: bool,
    variable: &str,
    endpoint_variable: &str,
) -> Result<(), String> {
    match endpoint {
        Some(url) if url.trim().to_ascii_lowercase().starts_with("http://") && !allowed => Err(format!(
            "the endpoint {url} ({endpoint_variable}) is plain HTTP, which is refused unless {variable}=true is set"
        )),
        _ => Ok(()),
    }
}

fn no_credentials(set_what: &str) -> String {
    format!("no credentials found (set {set_what}; or {METADATA_VARIABLE}=true to use this machine's cloud instance metadata)")
}

pub(super) fn s3(bucket: &str) -> Result<Arc<dyn ObjectStore>, String> {
    let timeout = request_timeout()?;
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
    let value = |builder: &AmazonS3Builder, key: AmazonS3ConfigKey| builder.get_config_value(&key);
    let allowed = value(
        &builder,
        AmazonS3ConfigKey::Client(ClientConfigKey::AllowHttp),
    )
    .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    plain_http_refused(
        value(&builder, AmazonS3ConfigKey::Endpoint),
        allowed,
        "AWS_ALLOW_HTTP",
        "AWS_ENDPOINT_URL",
    )?;
    let has_keys = value(&builder, AmazonS3ConfigKey::AccessKeyId).is_some()
        || value(&builder, AmazonS3ConfigKey::SecretAccessKey).is_some();
    let unsigned = value(&builder, AmazonS3ConfigKey::SkipSignature)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let other_provider = (set("AWS_WEB_IDENTITY_TOKEN_FILE") && set("AWS_ROLE_ARN"))
        || set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        || (set("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            && set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
        || value(&builder, AmazonS3ConfigKey::MetadataEndpoint).is_some()
        || truthy(METADATA_VARIABLE);
    if !(has_keys || unsigned || other_provider) {
        return Err(no_credentials(
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_SKIP_SIGNATURE=true for a public bucket or an emulator",
        ));
    }
    for (key, text) in timeouts(timeout, |key| env_with_prefix_set("AWS_", key)) {
        builder = builder.with_config(AmazonS3ConfigKey::Client(key), text);
    }
    let store = builder
        .with_retry(retry(timeout))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(store))
}

pub(super) fn gcs(bucket: &str) -> Result<Arc<dyn ObjectStore>, String> {
    let timeout = request_timeout()?;
    let mut builder = GoogleCloudStorageBuilder::from_env().with_bucket_name(bucket);
    let value =
        |builder: &GoogleCloudStorageBuilder, key: GoogleConfigKey| builder.get_config_value(&key);
    let allowed = value(
        &builder,
        GoogleConfigKey::Client(ClientConfigKey::AllowHttp),
    )
    .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    plain_http_refused(
        value(&builder, GoogleConfigKey::BaseUrl),
        allowed,
        "GOOGLE_ALLOW_HTTP",
        "GOOGLE_BASE_URL",
    )?;
    let adc_file = std::env::var_os("HOME").is_some_and(|home| {
        std::path::Path::new(&home)
            .join(".config/gcloud/application_default_credentials.json")
            .is_file()
    });
    let has_credentials = [
        GoogleConfigKey::ServiceAccount,
        GoogleConfigKey::ServiceAccountKey,
        GoogleConfigKey::ApplicationCredentials,
    ]
    .into_iter()
    .any(|key| value(&builder, key).is_some())
        || set("SERVICE_ACCOUNT")
        || set("GOOGLE_BEARER_TOKEN")
        || adc_file;
    let unsigned = value(&builder, GoogleConfigKey::SkipSignature)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !(has_credentials || unsigned || truthy(METADATA_VARIABLE)) {
        return Err(no_credentials(
            "GOOGLE_SERVICE_ACCOUNT (a key file), GOOGLE_APPLICATION_CREDENTIALS, or GOOGLE_SKIP_SIGNATURE=true for a public bucket or an emulator; `gcloud auth application-default login` writes a file that is found too",
        ));
    }
    for (key, text) in timeouts(timeout, |key| env_with_prefix_set("GOOGLE_", key)) {
        builder = builder.with_config(GoogleConfigKey::Client(key), text);
    }
    let store = builder
        .with_retry(retry(timeout))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(store))
}

pub(super) fn azure(container: &str) -> Result<Arc<dyn ObjectStore>, String> {
    let timeout = request_timeout()?;
    let mut builder = MicrosoftAzureBuilder::from_env().with_container_name(container);
    let value =
        |builder: &MicrosoftAzureBuilder, key: AzureConfigKey| builder.get_config_value(&key);
    let emulator = value(&builder, AzureConfigKey::UseEmulator)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !emulator {
        let allowed = value(&builder, AzureConfigKey::Client(ClientConfigKey::AllowHttp))
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        plain_http_refused(
            value(&builder, AzureConfigKey::Endpoint),
            allowed,
            "AZURE_ALLOW_HTTP",
            "AZURE_STORAGE_ENDPOINT",
        )?;
    }
    let has_credentials = [
        AzureConfigKey::AccessKey,
        AzureConfigKey::SasKey,
        AzureConfigKey::Token,
        AzureConfigKey::ClientSecret,
        AzureConfigKey::FederatedTokenFile,
        AzureConfigKey::MsiEndpoint,
    ]
    .into_iter()
    .any(|key| value(&builder, key).is_some())
        || [
            AzureConfigKey::UseAzureCli,
            AzureConfigKey::SkipSignature,
            AzureConfigKey::UseFabricEndpoint,
        ]
        .into_iter()
        .any(|key| value(&builder, key).is_some_and(|v| v.eq_ignore_ascii_case("true")));
    if !(emulator || has_credentials || truthy(METADATA_VARIABLE)) {
        return Err(no_credentials(
            "AZURE_STORAGE_ACCOUNT_NAME with AZURE_STORAGE_ACCOUNT_KEY or AZURE_STORAGE_SAS_TOKEN, AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID, AZURE_USE_AZURE_CLI=true, or AZURE_STORAGE_USE_EMULATOR=true for Azurite",
        ));
    }
    for (key, text) in timeouts(timeout, |key| env_with_prefix_set("AZURE_", key)) {
        builder = builder.with_config(AzureConfigKey::Client(key), text);
    }
    let store = builder
        .with_retry(retry(timeout))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(store))
}
