//! The media part of the configuration: where uploaded and cached files are stored, and the
//! limits on them.

use super::{ConfigError, parse_number};
use std::{path::Path, path::PathBuf, time::Duration};
use url::Url;

/// Where media files live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaStore {
    /// A folder on this machine (the default: nothing to set up).
    Directory(PathBuf),
    /// An S3-compatible object store (Garage, MinIO, AWS S3, ...), for instances on several
    /// processes or machines.
    S3(S3Store),
}

/// An S3-compatible bucket and the credentials to use it.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Store {
    /// The endpoint, e.g. `http://127.0.0.1:3900` (path-style requests are used).
    pub endpoint: Url,
    /// The region the store expects in signatures (`garage` for Garage).
    pub region: String,
    /// The bucket.
    pub bucket: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key (never printed).
    pub secret_access_key: String,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Store")
            .field("endpoint", &self.endpoint.as_str())
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// Media storage and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// Where files are stored.
    pub store: MediaStore,
    /// The largest image accepted, in bytes.
    pub max_image_bytes: u64,
    /// The largest video or audio file accepted, in bytes.
    pub max_video_bytes: u64,
    /// The largest document (PDF) accepted, in bytes.
    pub max_document_bytes: u64,
    /// How many bytes of media one account may keep; `None` means no quota.
    pub quota_bytes: Option<u64>,
    /// After how long an upload never attached to anything is removed.
    pub unattached_after: Duration,
    /// The ffmpeg command (ffprobe is looked for beside it); empty: never used.
    pub ffmpeg: String,
    /// After how long a cached copy of another server's media is removed (fetched again when
    /// someone looks at it); `None` keeps copies.
    pub remote_cache_for: Option<Duration>,
}

const MB: u64 = 1024 * 1024;

/// The S3 store the `s3_*` keys name: their endpoint, region and keys, with `bucket` in place
/// of `s3_bucket` when given (a backup destination names its own bucket).
pub(super) fn s3_store(
    get: &dyn Fn(&str) -> String,
    fail: &dyn Fn(&str, String) -> ConfigError,
    bucket: Option<&str>,
) -> Result<S3Store, ConfigError> {
    let required = |name: &str| -> Result<String, ConfigError> {
        let value = get(name).trim().to_string();
        if value.is_empty() {
            return Err(fail(name, "required for an S3 store".into()));
        }
        Ok(value)
    };
    let endpoint = Url::parse(&required("s3_endpoint")?)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| {
            fail(
                "s3_endpoint",
                "expected an http(s) URL such as http://127.0.0.1:3900".into(),
            )
        })?;
    Ok(S3Store {
        endpoint,
        region: required("s3_region")?,
        bucket: match bucket {
            Some(bucket) => bucket.to_string(),
            None => required("s3_bucket")?,
        },
        access_key_id: required("s3_access_key_id")?,
        secret_access_key: required("s3_secret_access_key")?,
    })
}

/// Reads the media keys. `get` gives a key's text, `fail` the error naming it.
pub(super) fn parse(
    data_dir: &Path,
    get: &dyn Fn(&str) -> String,
    fail: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Media, ConfigError> {
    let store = match get("media_store").trim() {
        "directory" => {
            let dir = get("media_dir").trim().to_string();
            MediaStore::Directory(if dir.is_empty() {
                data_dir.join("media")
            } else {
                PathBuf::from(dir)
            })
        }
        "s3" => MediaStore::S3(s3_store(get, fail, None)?),
        _ => return Err(fail("media_store", "expected directory or s3".into())),
    };
    let megabytes = |name: &str, min: u64, max: u64| -> Result<u64, ConfigError> {
        parse_number(&get(name), min, max).map_err(|why| fail(name, why))
    };
    let quota = megabytes("media_quota_mb", 0, 100_000_000)?;
    let cache_days = megabytes("media_remote_cache_days", 0, 36_500)?;
    Ok(Media {
        store,
        max_image_bytes: megabytes("media_max_image_mb", 1, 1024)? * MB,
        max_video_bytes: megabytes("media_max_video_mb", 1, 10_240)? * MB,
        max_document_bytes: megabytes("media_max_document_mb", 1, 1024)? * MB,
        quota_bytes: (quota > 0).then_some(quota * MB),
        unattached_after: Duration::from_secs(
            3600 * megabytes("media_unattached_hours", 1, 24 * 365)?,
        ),
        ffmpeg: get("media_ffmpeg").trim().to_string(),
        remote_cache_for: (cache_days > 0).then(|| Duration::from_secs(cache_days * 24 * 3600)),
    })
}
