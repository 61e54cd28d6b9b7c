//! The media store: one interface over a folder on this machine and any S3-compatible object
//! store (the `object_store` crate gives both). Keys are relative paths such as
//! `1234/5f3a.../original.jpg`; what a file is (its type) is kept in the database, never
//! guessed from the key.

use crate::config::MediaStore;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{
    GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart,
    aws::AmazonS3Builder, local::LocalFileSystem, path::Path as Key,
};
use std::{ops::Range, path::Path, sync::Arc};
use tokio::io::AsyncReadExt;

/// Files up to this size are sent in one request; larger ones in parts of this size, one
/// part in flight at a time, so that an upload holds at most a part or two in memory.
const PART: usize = 8 * 1024 * 1024;

/// Where media files are kept.
#[derive(Clone)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
    /// `directory` or `s3`, for logs and `coopol media usage`.
    kind: &'static str,
}

/// A failure of the store (a folder that cannot be written, an S3 error).
#[derive(Debug, thiserror::Error)]
#[error("media store: {0}")]
pub struct StoreError(String);

impl From<object_store::Error> for StoreError {
    fn from(e: object_store::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError(e.to_string())
    }
}

/// Part of a file (HTTP's `Range: bytes=...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ByteRange {
    /// From a first byte to before an end (`bytes=a-b` is `a..b+1`).
    Bounded(Range<u64>),
    /// From a first byte to the end (`bytes=a-`).
    From(u64),
    /// The last bytes (`bytes=-n`).
    Last(u64),
}

/// A file read from the store: the bytes asked for, and the whole file's size.
pub struct Fetched {
    /// The size of the whole file.
    pub total: u64,
    /// The bytes of the file this answer holds.
    pub range: Range<u64>,
    /// Those bytes, as they arrive.
    pub body: BoxStream<'static, Result<Bytes, std::io::Error>>,
}

impl Store {
    /// Opens the configured store (a folder is created when missing). Nothing is sent to an
    /// S3 store yet: [`Store::check`] does.
    pub fn open(config: &MediaStore) -> Result<Store, StoreError> {
        match config {
            MediaStore::Directory(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError(format!("cannot create the folder {}: {e}", dir.display()))
                })?;
                let local = LocalFileSystem::new_with_prefix(dir)?;
                Ok(Store {
                    inner: Arc::new(local),
                    kind: "directory",
                })
            }
            MediaStore::S3(s3) => {
                let store = AmazonS3Builder::new()
                    .with_endpoint(s3.endpoint.as_str().trim_end_matches('/'))
                    .with_region(&s3.region)
                    .with_bucket_name(&s3.bucket)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(&s3.secret_access_key)
                    .with_allow_http(s3.endpoint.scheme() == "http")
                    .with_virtual_hosted_style_request(false)
                    .build()?;
                Ok(Store {
                    inner: Arc::new(store),
                    kind: "s3",
                })
            }
        }
    }

    /// `directory` or `s3`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Whether the store answers (lists nothing under a key that never exists).
    pub async fn check(&self) -> Result<(), StoreError> {
        let prefix = Key::from("coopol-check");
        self.inner.list_with_delimiter(Some(&prefix)).await?;
        Ok(())
    }

    /// Stores bytes under `key`, replacing what was there.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StoreError> {
        self.inner
            .put(&Key::from(key), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// Stores a file of this machine under `key`, reading it as it goes (a large file is sent
    /// in parts). Gives the number of bytes stored.
    pub async fn put_file(&self, key: &str, path: &Path) -> Result<u64, StoreError> {
        let mut file = tokio::fs::File::open(path).await?;
        let size = file.metadata().await?.len();
        if size <= PART as u64 {
            let mut bytes = Vec::with_capacity(size as usize);
            file.read_to_end(&mut bytes).await?;
            self.put(key, Bytes::from(bytes)).await?;
            return Ok(size);
        }
        let upload = self.inner.put_multipart(&Key::from(key)).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buffer = vec![0u8; 256 * 1024];
        loop {
            let n = file.read(&mut buffer).await?;
            if n == 0 {
                break;
            }
            writer.wait_for_capacity(1).await?;
            writer.write(&buffer[..n]);
        }
        writer.finish().await?;
        Ok(size)
    }

    /// Reads `key` (the bytes of `range` when one is given, clamped to the file); `None` when
    /// there is no such file or the range cannot be given (it starts past the end).
    pub async fn get(
        &self,
        key: &str,
        range: Option<ByteRange>,
    ) -> Result<Option<Fetched>, StoreError> {
        let options = GetOptions {
            range: range.map(|r| match r {
                ByteRange::Bounded(r) => GetRange::Bounded(r),
                ByteRange::From(a) => GetRange::Offset(a),
                ByteRange::Last(n) => GetRange::Suffix(n),
            }),
            ..GetOptions::default()
        };
        let asked = options.range.clone();
        let result = match self.inner.get_opts(&Key::from(key), options).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            // A range that cannot be given (past the end) is an error of the store's own kind.
            Err(e) if asked.is_some() => {
                return match self.inner.head(&Key::from(key)).await {
                    Ok(_) => Ok(None),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(_) => Err(e.into()),
                };
            }
            Err(e) => return Err(e.into()),
        };
        let total = result.meta.size;
        let range = result.range.clone();
        let body = result
            .into_stream()
            .map_err(|e| std::io::Error::other(e.to_string()))
            .boxed();
        Ok(Some(Fetched { total, range, body }))
    }

    /// Reads the whole of `key` into memory, refusing a file larger than `max` bytes.
    pub async fn read(&self, key: &str, max: u64) -> Result<Option<Bytes>, StoreError> {
        let Some(fetched) = self.get(key, None).await? else {
            return Ok(None);
        };
        if fetched.total > max {
            return Err(StoreError(format!("{key} is larger than {max} bytes")));
        }
        let mut out = Vec::with_capacity(fetched.total as usize);
        let mut body = fetched.body;
        while let Some(chunk) = body.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(Some(Bytes::from(out)))
    }

    /// Removes `key`; a key already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.inner.delete(&Key::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The files under `prefix` (every file when it is empty), as (key, size), in no order.
    pub async fn list(&self, prefix: &str) -> Result<Vec<(String, u64)>, StoreError> {
        let prefix = (!prefix.is_empty()).then(|| Key::from(prefix));
        let mut list = self.inner.list(prefix.as_ref());
        let mut files = Vec::new();
        while let Some(meta) = list.next().await {
            let meta = meta?;
            files.push((meta.location.to_string(), meta.size));
        }
        Ok(files)
    }

    /// How many files the store holds and their total size.
    pub async fn usage(&self) -> Result<(u64, u64), StoreError> {
        let mut files = 0;
        let mut bytes = 0;
        let mut list = self.inner.list(None);
        while let Some(meta) = list.next().await {
            let meta = meta?;
            files += 1;
            bytes += meta.size;
        }
        Ok((files, bytes))
    }
}
