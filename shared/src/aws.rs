//! The AWS SDK configuration every client is built from: region and
//! credentials from the usual chain, and the endpoint override
//! (`AWS_ENDPOINT_URL`) that points everything at an emulator locally.

use aws_config::{BehaviorVersion, Region};

use crate::config::AwsSettings;

pub async fn sdk_config(settings: &AwsSettings) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(Region::new(settings.region.clone()));
    if let Some(endpoint) = &settings.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}
