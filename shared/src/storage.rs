//! Object storage (S3): uploads, staged files, templates, reports and
//! session snapshots. Locally the same client talks to the AWS emulator
//! through the endpoint override (path-style addressing, which moto and
//! LocalStack need).

mod put_retry;

pub use put_retry::PUT_ATTEMPTS;

use std::time::Duration;

use aws_sdk_s3::{error::DisplayErrorContext, presigning::PresigningConfig, primitives::ByteStream, Client};

/// Where the admin-uploaded recipients template lives; the campaigns area
/// serves it, the admin area replaces it.
pub const RECIPIENTS_TEMPLATE_KEY: &str = "templates/recipients.xlsx";

#[derive(Clone)]
pub struct Storage {
    client: Client,
    bucket: String,
}

/// An object's bytes and what S3 knows of it.
pub struct StoredObject {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

impl Storage {
    pub fn new(config: &aws_config::SdkConfig, bucket: impl Into<String>) -> Self {
        let s3_config = aws_sdk_s3::config::Builder::from(config).force_path_style(true).build();
        Self { client: Client::from_conf(s3_config), bucket: bucket.into() }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Refusals that a retry may cure (throttling, 5xx, a dropped
    /// connection) are retried with backoff ([`put_retry`]).
    #[tracing::instrument(skip(self, bytes), fields(size = bytes.len()))]
    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> anyhow::Result<()> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(key)
                .content_type(content_type)
                .body(ByteStream::from(bytes.clone()))
                .send()
                .await;
            match result {
                Ok(_) => return Ok(()),
                Err(err) if attempt < put_retry::PUT_ATTEMPTS && put_retry::is_transient(&err) => {
                    tokio::time::sleep(put_retry::note_refusal(key, attempt, err)).await;
                }
                Err(err) => {
                    return Err(anyhow::anyhow!("S3 put {key} (attempt {attempt}): {}", DisplayErrorContext(err)))
                }
            }
        }
    }

    /// The object, or `None` when there is no such key.
    #[tracing::instrument(skip(self))]
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<StoredObject>> {
        let result = self.client.get_object().bucket(&self.bucket).key(key).send().await;
        let output = match result {
            Ok(output) => output,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            Err(err) => return Err(anyhow::anyhow!("S3 get {key}: {}", DisplayErrorContext(err))),
        };
        let content_type = output.content_type().map(str::to_owned);
        let bytes = output.body.collect().await?.into_bytes().to_vec();
        Ok(Some(StoredObject { bytes, content_type }))
    }

    /// The object's size, or `None` when there is no such key.
    pub async fn size(&self, key: &str) -> anyhow::Result<Option<u64>> {
        match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(head) => Ok(Some(head.content_length().unwrap_or(0).max(0) as u64)),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(err) => Err(anyhow::anyhow!("S3 head {key}: {}", DisplayErrorContext(err))),
        }
    }

    /// Deleting a missing key succeeds (S3 semantics), and so does deleting
    /// from a missing bucket (an emulator restarted empty): either way the
    /// object is gone, which is all a caller asks.
    #[tracing::instrument(skip(self))]
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.client.delete_object().bucket(&self.bucket).key(key).send().await {
            Ok(_) => Ok(()),
            Err(err) if aws_sdk_s3::error::ProvideErrorMetadata::code(&err) == Some("NoSuchBucket") => Ok(()),
            Err(err) => Err(anyhow::anyhow!("S3 delete {key}: {}", DisplayErrorContext(err))),
        }
    }

    /// A URL that lets its holder download the object until it expires.
    pub async fn presigned_get(
        &self,
        key: &str,
        valid_for: Duration,
        download_name: Option<&str>,
    ) -> anyhow::Result<String> {
        let mut request = self.client.get_object().bucket(&self.bucket).key(key);
        if let Some(name) = download_name {
            request = request.response_content_disposition(content_disposition(name));
        }
        let presigned = request.presigned(PresigningConfig::expires_in(valid_for)?).await?;
        Ok(presigned.uri().to_owned())
    }

    /// A URL that lets its holder upload one object (with this content type)
    /// until it expires: the path around API Gateway's 6 MB body limit.
    pub async fn presigned_put(&self, key: &str, content_type: &str, valid_for: Duration) -> anyhow::Result<String> {
        let presigned = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .presigned(PresigningConfig::expires_in(valid_for)?)
            .await?;
        Ok(presigned.uri().to_owned())
    }
}

/// `attachment; filename*=UTF-8''…` so Persian file names survive.
pub fn content_disposition(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}
