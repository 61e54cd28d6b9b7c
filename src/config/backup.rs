//! The backup part of the configuration: where `coopol backup` and the scheduled backup write
//! their archives, how often the server makes one, and how many are kept.

use super::{ConfigError, S3Store, media, parse_number};
use std::{path::Path, path::PathBuf, time::Duration};

/// Where backup archives go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupTarget {
    /// A folder of this machine (created when missing); retention applies to it.
    Folder(PathBuf),
    /// One file (a path ending in `.tar.gz`), replaced by each backup; no retention.
    File(PathBuf),
    /// An S3-compatible bucket (the endpoint and keys of the `s3_*` settings), under a prefix
    /// (empty, or ending with `/`); retention applies to the prefix.
    Bucket {
        /// The store, with the destination's bucket.
        store: S3Store,
        /// Where in the bucket the archives go.
        prefix: String,
    },
}

/// Backups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// Where archives go when `coopol backup` names no destination, and the scheduled ones.
    pub destination: BackupTarget,
    /// How often the server makes a backup by itself; `None`: never.
    pub interval: Option<Duration>,
    /// How many archives made by coopol a folder or a bucket prefix keeps (older ones are
    /// removed after each backup).
    pub keep: u32,
    /// The folder holding `pg_dump` and `pg_restore`; `None`: looked for on the PATH, then
    /// in Debian's `/usr/lib/postgresql/*/bin`.
    pub pg_bin_dir: Option<PathBuf>,
    /// The `s3_*` endpoint and keys when they are set, for an `s3://` destination given on
    /// the command line (its bucket is the destination's).
    s3_account: Option<S3Store>,
}

impl Backup {
    /// Reads a destination as `backup_destination` or `coopol backup --to` give it: a
    /// folder, a file ending in `.tar.gz`, or `s3://BUCKET/PREFIX`.
    pub fn target(&self, text: &str) -> Result<BackupTarget, String> {
        target(text, self.s3_account.as_ref())
    }
}

/// The name of the S3 settings a bucket destination needs, for error messages.
const S3_KEYS: &str = "s3_endpoint, s3_region, s3_access_key_id and s3_secret_access_key";

fn target(text: &str, s3_account: Option<&S3Store>) -> Result<BackupTarget, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("an empty destination".into());
    }
    if let Some(rest) = text.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err("expected s3://BUCKET or s3://BUCKET/PREFIX".into());
        }
        let Some(account) = s3_account else {
            return Err(format!("an s3:// destination needs {S3_KEYS}"));
        };
        let prefix = prefix.trim_matches('/');
        return Ok(BackupTarget::Bucket {
            store: S3Store {
                bucket: bucket.to_string(),
                ..account.clone()
            },
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            },
        });
    }
    let path = PathBuf::from(text);
    if text.ends_with(".tar.gz") && !path.is_dir() {
        Ok(BackupTarget::File(path))
    } else {
        Ok(BackupTarget::Folder(path))
    }
}

/// Reads the backup keys. `get` gives a key's text, `fail` the error naming it.
pub(super) fn parse(
    data_dir: &Path,
    get: &dyn Fn(&str) -> String,
    fail: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Backup, ConfigError> {
    let text = get("backup_destination").trim().to_string();
    let bucket_wanted = text.starts_with("s3://");
    let s3_account = if get("s3_endpoint").trim().is_empty() && !bucket_wanted {
        None
    } else {
        match media::s3_store(get, fail, Some("")) {
            Ok(store) => Some(store),
            // Only a bucket destination needs the keys complete.
            Err(e) if bucket_wanted => {
                return Err(fail(
                    "backup_destination",
                    format!("an s3:// destination needs {S3_KEYS} ({e})"),
                ));
            }
            Err(_) => None,
        }
    };
    let destination = if text.is_empty() {
        BackupTarget::Folder(data_dir.join("backups"))
    } else {
        target(&text, s3_account.as_ref()).map_err(|why| fail("backup_destination", why))?
    };
    let hours = parse_number(&get("backup_interval_hours"), 0, 24 * 365)
        .map_err(|why| fail("backup_interval_hours", format!("{why} (0: never)")))?;
    let keep = parse_number(&get("backup_keep"), 1, 10_000)
        .map_err(|why| fail("backup_keep", why))? as u32;
    let pg_bin_dir = get("backup_pg_bin_dir").trim().to_string();
    Ok(Backup {
        destination,
        interval: (hours > 0).then(|| Duration::from_secs(hours * 3600)),
        keep,
        pg_bin_dir: (!pg_bin_dir.is_empty()).then(|| PathBuf::from(pg_bin_dir)),
        s3_account,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> S3Store {
        S3Store {
            endpoint: "http://127.0.0.1:3900".parse().unwrap(),
            region: "garage".into(),
            bucket: String::new(),
            access_key_id: "GK1".into(),
            secret_access_key: "secret".into(),
        }
    }

    #[test]
    fn destinations_are_folders_files_or_buckets() {
        assert_eq!(
            target("/srv/backups", None),
            Ok(BackupTarget::Folder("/srv/backups".into()))
        );
        assert_eq!(
            target("/srv/coopol.tar.gz", None),
            Ok(BackupTarget::File("/srv/coopol.tar.gz".into()))
        );
        let Ok(BackupTarget::Bucket { store, prefix }) =
            target("s3://saves/coopol/", Some(&account()))
        else {
            panic!("a bucket")
        };
        assert_eq!(
            (store.bucket.as_str(), prefix.as_str()),
            ("saves", "coopol/")
        );
        let Ok(BackupTarget::Bucket { prefix, .. }) = target("s3://saves", Some(&account())) else {
            panic!("a bucket")
        };
        assert_eq!(prefix, "");
        assert!(
            target("s3://saves", None)
                .unwrap_err()
                .contains("s3_endpoint")
        );
        assert!(target("s3:///x", Some(&account())).is_err());
        assert!(target(" ", None).is_err());
    }
}
