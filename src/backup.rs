//! Backups and restores of a whole instance: `coopol backup`, `coopol restore` and the backup
//! the server makes every `backup_interval_hours`.
//!
//! An archive is one gzip-compressed tar file, `coopol-backup-<UTC time>.tar.gz`, holding:
//!
//! - `database/coopol.db`: with SQLite, a copy made by `VACUUM INTO`, one read transaction
//!   on the live database (the writers go on meanwhile, and the copy is one moment of it).
//!   SQLite's online backup API was not chosen: copying in steps, it starts over whenever
//!   another connection writes, which under a server's steady writes may be never; copying
//!   in one step holds the same read transaction as `VACUUM INTO`, which also leaves a
//!   compact file with no write-ahead log beside it.
//! - `database/coopol.pgdump`: with PostgreSQL, `pg_dump --format=custom` of a snapshot
//!   exported by a transaction that also counts the rows, so that counts and dump are the
//!   same moment.
//! - `media/KEY`: every file of the media store (a folder or S3), read through the store.
//! - `config/coopol.toml`, the configuration file read, and `config/environment`, the
//!   `COOPOL_*` variables set: with the keys in the database (actors' keys, Web Push keys),
//!   every secret an instance cannot lose.
//! - `manifest.json`, last: the coopol version, the database kind, its last migration, the
//!   rows of every table, the database file's size and SHA-256, and the media's count and
//!   size, all checked by a restore before it changes anything.

use crate::{
    config::{BackupTarget, Config, KEYS, MediaStore, env_name},
    db::{self, Backend, Db},
    media::Store,
};
use anyhow::{Context, anyhow, bail};
use serde::{Deserialize, Serialize};
use sqlx::Connection;
use std::{
    collections::BTreeMap,
    io::Read,
    path::{Path, PathBuf},
    time::Duration,
};
use tokio_util::sync::CancellationToken;

/// The archive layout this code writes and reads.
pub const FORMAT: u32 = 1;
/// How archive names start and end; retention removes only names of this shape.
const NAME_PREFIX: &str = "coopol-backup-";
const NAME_SUFFIX: &str = ".tar.gz";
/// The time in an archive's name (UTC, to the microsecond: names sort as times do).
const NAME_TIME: &str = "%Y%m%dT%H%M%S%.6fZ";

const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "database/coopol.db";
const PG_DUMP_FILE: &str = "database/coopol.pgdump";
const MEDIA_DIR: &str = "media/";
const CONFIG_FILE: &str = "config/coopol.toml";
const ENVIRONMENT_FILE: &str = "config/environment";

/// What an archive says of itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The archive layout ([`FORMAT`]).
    pub format: u32,
    /// The coopol version that made it.
    pub coopol_version: String,
    /// When the database was copied (RFC 3339, UTC).
    pub created_at: String,
    /// The instance's public URL.
    pub public_url: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// The last migration the database had applied.
    pub last_migration: i64,
    /// The rows of every table at the moment of the copy.
    pub tables: BTreeMap<String, i64>,
    /// The database file's path in the archive, size and SHA-256 (hex).
    pub database_file: String,
    pub database_bytes: u64,
    pub database_sha256: String,
    /// `directory` or `s3`: the store the media were read from.
    pub media_store: String,
    /// The media files in the archive and their total size.
    pub media_files: u64,
    pub media_bytes: u64,
    /// Whether the archive holds the configuration file.
    pub config_file: bool,
}

/// A backup made.
#[derive(Debug)]
pub struct Made {
    /// Where the archive is (a path, or `s3://bucket/key`).
    pub location: String,
    /// Its size.
    pub bytes: u64,
    /// What it holds.
    pub manifest: Manifest,
    /// The older archives removed by retention.
    pub removed: Vec<String>,
}

/// Removes a working folder however the work ends.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new(parent: &Path, what: &str) -> anyhow::Result<WorkDir> {
        let dir = parent.join(format!(".{what}-{}", crate::crypto::random_code(8)));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the working folder {}", dir.display()))?;
        Ok(WorkDir(dir))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// Makes a backup of the instance whose database is `db` into `target`, then applies
/// retention there (the last `backup_keep` archives stay).
pub async fn backup(config: &Config, db: &Db, target: &BackupTarget) -> anyhow::Result<Made> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    let work = WorkDir::new(&config.data_dir, "backup")?;
    let now = chrono::Utc::now();
    let name = format!("{NAME_PREFIX}{}{NAME_SUFFIX}", now.format(NAME_TIME));

    let (database_file, local_db, last_migration, tables) =
        snapshot_database(config, db, &work.0).await?;
    let (database_bytes, database_sha256) = file_digest(&local_db)?;
    let media = Store::open(&config.media.store)?;
    // Archives kept in the media store itself (a destination inside the media folder, or the
    // media bucket) are not media: copying them would make each archive hold the previous ones.
    let media_files: Vec<(String, u64)> = media
        .list("")
        .await
        .context("cannot list the media store")?
        .into_iter()
        .filter(|(key, _)| !is_backup_key(key))
        .collect();
    let mut manifest = Manifest {
        format: FORMAT,
        coopol_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        public_url: config.public_url.to_string(),
        database: backend_name(db.backend()).into(),
        last_migration,
        tables,
        database_file: database_file.into(),
        database_bytes,
        database_sha256,
        media_store: media.kind().into(),
        media_files: 0,
        media_bytes: 0,
        config_file: config.file.is_some(),
    };

    // Written beside its destination (a folder or a file), or in the working folder for a
    // bucket, then moved or sent there whole: a destination never holds half an archive.
    let partial = match target {
        BackupTarget::Folder(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the folder {}", dir.display()))?;
            dir.join(format!(".{name}.partial"))
        }
        BackupTarget::File(file) => {
            let mut partial = file.clone().into_os_string();
            partial.push(".partial");
            PathBuf::from(partial)
        }
        BackupTarget::Bucket { .. } => work.0.join(&name),
    };
    let written = {
        let partial = partial.clone();
        let config_file = config.file.clone();
        let handle = tokio::runtime::Handle::current();
        let media = media.clone();
        let mut manifest = manifest.clone();
        tokio::task::spawn_blocking(move || {
            let result = write_archive(
                &handle,
                &partial,
                &local_db,
                &media,
                &media_files,
                config_file.as_deref(),
                &mut manifest,
            );
            result.map(|bytes| (bytes, manifest))
        })
        .await
        .map_err(|e| anyhow!("the archive writer stopped: {e}"))?
    };
    let bytes = match written {
        Ok((bytes, written)) => {
            manifest = written;
            bytes
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };

    let (location, removed) = match target {
        BackupTarget::Folder(dir) => {
            let path = dir.join(&name);
            std::fs::rename(&partial, &path)
                .with_context(|| format!("cannot name the archive {}", path.display()))?;
            let removed = retain_in_folder(dir, config.backup.keep)?;
            (path.display().to_string(), removed)
        }
        BackupTarget::File(file) => {
            std::fs::rename(&partial, file)
                .with_context(|| format!("cannot name the archive {}", file.display()))?;
            (file.display().to_string(), Vec::new())
        }
        BackupTarget::Bucket { store, prefix } => {
            let bucket = Store::open(&MediaStore::S3(store.clone()))?;
            let key = format!("{prefix}{name}");
            bucket
                .put_file(&key, &partial)
                .await
                .with_context(|| format!("cannot send the archive to s3://{}", store.bucket))?;
            let removed = retain_in_bucket(&bucket, prefix, config.backup.keep).await?;
            (format!("s3://{}/{key}", store.bucket), removed)
        }
    };
    Ok(Made {
        location,
        bytes,
        manifest,
        removed,
    })
}

/// Copies the database into `work`: (its path in the archive, the local copy, its last
/// migration, the rows of every table), all of one moment.
async fn snapshot_database(
    config: &Config,
    db: &Db,
    work: &Path,
) -> anyhow::Result<(&'static str, PathBuf, i64, BTreeMap<String, i64>)> {
    match db.backend() {
        Backend::Sqlite => {
            let copy = work.join("coopol.db");
            let path = copy
                .to_str()
                .ok_or_else(|| anyhow!("the data directory's path is not UTF-8"))?;
            db::backup::copy_sqlite(db.pool(), path)
                .await
                .context("cannot copy the SQLite database")?;
            let mut conn = open_sqlite_file(&copy, true).await?;
            let last = db::backup::last_migration(&mut conn, Backend::Sqlite).await?;
            let tables = db::backup::table_counts(&mut conn, Backend::Sqlite).await?;
            conn.close().await?;
            Ok((SQLITE_FILE, copy, last, tables))
        }
        Backend::Postgres => {
            let pg_dump = pg_tool(config, "pg_dump")?;
            let dump = work.join("coopol.pgdump");
            let mut conn = sqlx::AnyConnection::connect(&config.database_url)
                .await
                .context("cannot connect to PostgreSQL")?;
            let snapshot = db::backup::export_snapshot(&mut conn)
                .await
                .context("cannot export a PostgreSQL snapshot")?;
            let last = db::backup::last_migration(&mut conn, Backend::Postgres).await?;
            let tables = db::backup::table_counts(&mut conn, Backend::Postgres).await?;
            let output = pg_command(&pg_dump, &config.database_url)?
                .arg("--format=custom")
                .arg(format!("--snapshot={snapshot}"))
                .arg("--file")
                .arg(&dump)
                .output()
                .await
                .with_context(|| format!("cannot run {}", pg_dump.display()))?;
            db::backup::end_snapshot(&mut conn).await?;
            conn.close().await?;
            if !output.status.success() {
                bail!(
                    "{} failed: {}",
                    pg_dump.display(),
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
            Ok((PG_DUMP_FILE, dump, last, tables))
        }
    }
}

/// Opens a SQLite file by itself (not through the server's pool and its settings).
async fn open_sqlite_file(path: &Path, read_only: bool) -> anyhow::Result<sqlx::AnyConnection> {
    sqlx::any::install_default_drivers();
    let mode = if read_only { "ro" } else { "rw" };
    let url = format!("sqlite://{}?mode={mode}", path.display());
    sqlx::AnyConnection::connect(&url)
        .await
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Finds `pg_dump` or `pg_restore`: in `backup_pg_bin_dir` when set, else on the PATH, else
/// in Debian's `/usr/lib/postgresql/VERSION/bin` (the newest version).
pub fn pg_tool(config: &Config, name: &str) -> anyhow::Result<PathBuf> {
    let manual = "README.md (Operations, Backups) gives the manual procedure";
    if let Some(dir) = &config.backup.pg_bin_dir {
        let path = dir.join(name);
        if path.is_file() {
            return Ok(path);
        }
        bail!(
            "{name} is not in {} (backup_pg_bin_dir): install the PostgreSQL client tools \
             (Debian: postgresql-client) or fix the setting; {manual}",
            dir.display()
        );
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    if let Some(path) = on_path {
        return Ok(path);
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let path = e.path().join("bin").join(name);
            path.is_file().then_some((version, path))
        })
        .collect();
    debian.sort();
    match debian.pop() {
        Some((_, path)) => Ok(path),
        None => bail!(
            "{name} was not found on the PATH nor in /usr/lib/postgresql/*/bin: install the \
             PostgreSQL client tools (Debian: postgresql-client) or set backup_pg_bin_dir; \
             {manual}"
        ),
    }
}

/// A file's size and SHA-256 (hex).
fn file_digest(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        context.update(&buffer[..n]);
    }
    Ok((size, hex::encode(context.finish())))
}

/// A tar header for a regular file of `size` bytes, readable by its owner only.
fn file_header(size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    );
    header.set_entry_type(tar::EntryType::Regular);
    header
}

/// Writes the archive at `path` (on a blocking thread; the media are read through `handle`).
/// Completes `manifest` with the media written, and gives the archive's size.
fn write_archive(
    handle: &tokio::runtime::Handle,
    path: &Path,
    database: &Path,
    media: &Store,
    media_files: &[(String, u64)],
    config_file: Option<&Path>,
    manifest: &mut Manifest,
) -> anyhow::Result<u64> {
    let file = open_private(path)?;
    let gz = flate2::write::GzEncoder::new(
        std::io::BufWriter::new(file),
        flate2::Compression::default(),
    );
    let mut tar = tar::Builder::new(gz);
    tar.append_path_with_name(database, &manifest.database_file)
        .context("cannot write the database into the archive")?;
    for (key, _) in media_files {
        // A file removed since the listing (the media sweep) is left out.
        let Some(fetched) = handle
            .block_on(media.get(key, None))
            .with_context(|| format!("cannot read the medium {key}"))?
        else {
            continue;
        };
        let reader = tokio_util::io::SyncIoBridge::new_with_handle(
            tokio_util::io::StreamReader::new(fetched.body),
            handle.clone(),
        );
        let mut header = file_header(fetched.total);
        tar.append_data(&mut header, format!("{MEDIA_DIR}{key}"), reader)
            .with_context(|| format!("cannot write the medium {key} into the archive"))?;
        manifest.media_files += 1;
        manifest.media_bytes += fetched.total;
    }
    if let Some(config_file) = config_file {
        tar.append_path_with_name(config_file, CONFIG_FILE)
            .with_context(|| format!("cannot read {}", config_file.display()))?;
    }
    let environment: String = KEYS
        .iter()
        .filter_map(|k| {
            let name = env_name(k.name);
            std::env::var(&name).ok().map(|v| format!("{name}={v}\n"))
        })
        .collect();
    let mut header = file_header(environment.len() as u64);
    tar.append_data(&mut header, ENVIRONMENT_FILE, environment.as_bytes())?;
    let manifest_json = serde_json::to_vec_pretty(manifest)?;
    let mut header = file_header(manifest_json.len() as u64);
    tar.append_data(&mut header, MANIFEST, manifest_json.as_slice())?;
    let gz = tar.into_inner()?;
    let buffered = gz.finish()?;
    let file = buffered.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(file.metadata()?.len())
}

/// Creates a file only its owner may read (archives hold the instance's secrets).
fn open_private(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Whether a media store key names an archive or a partial archive (`.NAME.partial`) coopol
/// made, in any folder.
fn is_backup_key(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    is_archive_name(name)
        || name
            .strip_prefix('.')
            .and_then(|n| n.strip_suffix(".partial"))
            .is_some_and(is_archive_name)
}

/// `pg_dump` or `pg_restore` for `database_url`: the password, if the address holds one, goes
/// in the `PGPASSWORD` variable of the child, not on its command line, where any local user
/// could read it in `/proc` while it runs.
fn pg_command(tool: &Path, database_url: &str) -> anyhow::Result<tokio::process::Command> {
    let mut url = url::Url::parse(database_url).context("database_url is not an address")?;
    let mut command = tokio::process::Command::new(tool);
    if let Some(password) = url.password() {
        let password = percent_encoding::percent_decode_str(password)
            .decode_utf8()
            .context("the password in database_url is not UTF-8")?
            .into_owned();
        command.env("PGPASSWORD", password);
        url.set_password(None)
            .map_err(|()| anyhow!("database_url cannot lose its password"))?;
    }
    command.arg("--dbname").arg(url.as_str());
    Ok(command)
}

/// Whether a file name is that of an archive coopol made.
fn is_archive_name(name: &str) -> bool {
    name.strip_prefix(NAME_PREFIX)
        .and_then(|rest| rest.strip_suffix(NAME_SUFFIX))
        .is_some_and(|time| chrono::NaiveDateTime::parse_from_str(time, NAME_TIME).is_ok())
}

/// Of archive names, those past the newest `keep`.
fn past_retention(mut names: Vec<String>, keep: u32) -> Vec<String> {
    names.sort();
    let excess = names.len().saturating_sub(keep as usize);
    names.truncate(excess);
    names
}

fn retain_in_folder(dir: &Path, keep: u32) -> anyhow::Result<Vec<String>> {
    let names = std::fs::read_dir(dir)?
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| is_archive_name(n))
        .collect();
    let mut removed = Vec::new();
    for name in past_retention(names, keep) {
        let path = dir.join(&name);
        std::fs::remove_file(&path)
            .with_context(|| format!("cannot remove the old archive {}", path.display()))?;
        removed.push(path.display().to_string());
    }
    Ok(removed)
}

async fn retain_in_bucket(bucket: &Store, prefix: &str, keep: u32) -> anyhow::Result<Vec<String>> {
    let names = bucket
        .list(prefix)
        .await?
        .into_iter()
        .filter_map(|(key, _)| key.strip_prefix(prefix).map(str::to_string))
        .filter(|n| is_archive_name(n))
        .collect();
    let mut removed = Vec::new();
    for name in past_retention(names, keep) {
        let key = format!("{prefix}{name}");
        bucket.delete(&key).await?;
        removed.push(key);
    }
    Ok(removed)
}

/// A restore done.
#[derive(Debug)]
pub struct Restored {
    /// What the archive held.
    pub manifest: Manifest,
    /// Migrations applied after the restore (the archive came from an older coopol).
    pub migrated: usize,
    /// Where the archive's configuration file and environment were put, to compare with
    /// this machine's.
    pub config_dir: PathBuf,
}

/// Brings back the instance an archive holds into the database and media store `config`
/// names. The archive is read and checked whole before anything changes: its manifest (the
/// layout, the database kind, a schema this binary knows), the database file's digest, the
/// media's count. A database that holds tables is left alone unless `force`.
pub async fn restore(config: &Config, source: &str, force: bool) -> anyhow::Result<Restored> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    let work = WorkDir::new(&config.data_dir, "restore")?;
    let archive = if source.starts_with("s3://") {
        download(config, source, &work.0).await?
    } else {
        PathBuf::from(source)
    };
    let staging = work.0.join("archive");
    let manifest = {
        let (archive, staging) = (archive.clone(), staging.clone());
        tokio::task::spawn_blocking(move || unpack(&archive, &staging))
            .await
            .map_err(|e| anyhow!("the archive reader stopped: {e}"))??
    };
    let backend = db::backend_of(&config.database_url);
    check_manifest(&manifest, backend, &staging)?;
    if !database_is_empty(config, backend).await? {
        if !force {
            bail!(
                "the database of this configuration is not empty: restoring would replace it; \
                 run again with --force to replace it"
            );
        }
        // Replacing a database a server is writing to would lose its writes (SQLite: its
        // write-ahead log) and could damage the file.
        let mut conn = connect(config).await?;
        let running = db::backup::running_processes(&mut conn, backend).await?;
        conn.close().await?;
        if running > 0 {
            bail!(
                "a coopol server is running on this database ({running} process(es) seen in the \
                 last seconds): stop it first (e.g. systemctl stop coopol), then restore"
            );
        }
    }

    let database = staging.join(&manifest.database_file);
    match backend {
        Backend::Sqlite => restore_sqlite(config, &database).await?,
        Backend::Postgres => restore_postgres(config, &database).await?,
    }
    let counts = {
        let mut conn = connect(config).await?;
        let counts = db::backup::table_counts(&mut conn, backend).await?;
        conn.close().await?;
        counts
    };
    if counts != manifest.tables {
        let differ: Vec<&String> = manifest
            .tables
            .keys()
            .chain(counts.keys())
            .filter(|t| counts.get(*t) != manifest.tables.get(*t))
            .collect();
        bail!("the restored database does not hold the rows the archive lists (tables {differ:?})");
    }
    // The heartbeats of the processes that served the archived database: they run elsewhere
    // (or no more), so they must neither hold claims here nor look like a running server.
    {
        let mut conn = connect(config).await?;
        db::backup::forget_processes(&mut conn).await?;
        conn.close().await?;
    }

    let media = Store::open(&config.media.store)?;
    let media_dir = staging.join(MEDIA_DIR);
    for (key, path) in files_under(&media_dir)? {
        media
            .put_file(&key, &path)
            .await
            .with_context(|| format!("cannot restore the medium {key}"))?;
    }

    let config_dir = config.data_dir.join("restored-config");
    std::fs::create_dir_all(&config_dir)?;
    for (name, path) in files_under(&staging.join("config"))? {
        std::fs::copy(&path, config_dir.join(&name))
            .with_context(|| format!("cannot copy {name} into {}", config_dir.display()))?;
    }

    let db = Db::connect(&config.database_url, 1)
        .await
        .context("cannot open the restored database")?;
    let migrated = db.migrate().await;
    db.close().await;
    let migrated = migrated.context("cannot apply the migrations to the restored database")?;
    Ok(Restored {
        manifest,
        migrated,
        config_dir,
    })
}

/// Fetches `s3://bucket/key` into `work`.
async fn download(config: &Config, source: &str, work: &Path) -> anyhow::Result<PathBuf> {
    let BackupTarget::Bucket { store, prefix } = config
        .backup
        .target(source)
        .map_err(|why| anyhow!("{source}: {why}"))?
    else {
        bail!("{source}: expected s3://BUCKET/KEY");
    };
    let key = prefix.trim_end_matches('/');
    let bucket = Store::open(&MediaStore::S3(store))?;
    let Some(fetched) = bucket.get(key, None).await? else {
        bail!("{source}: no such archive");
    };
    let path = work.join("download.tar.gz");
    let mut file = tokio::fs::File::create(&path).await?;
    let mut reader = tokio_util::io::StreamReader::new(fetched.body);
    tokio::io::copy(&mut reader, &mut file).await?;
    Ok(path)
}

/// Reads the whole archive into `staging` and gives its manifest; a truncated or damaged
/// archive fails here (gzip checks its whole stream).
fn unpack(archive: &Path, staging: &Path) -> anyhow::Result<Manifest> {
    let damaged = |e: std::io::Error| {
        anyhow!(
            "{} is damaged or incomplete ({e}): nothing was changed",
            archive.display()
        )
    };
    let file = std::fs::File::open(archive)
        .with_context(|| format!("cannot read {}", archive.display()))?;
    std::fs::create_dir_all(staging)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)));
    let mut manifest = None;
    for entry in tar.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        let path = entry.path().map_err(damaged)?.into_owned();
        if path == Path::new(MANIFEST) {
            let mut text = String::new();
            entry.read_to_string(&mut text).map_err(damaged)?;
            manifest = Some(text);
            continue;
        }
        // Files and folders only (a link could lead the restore outside the archive), and
        // `unpack_in` refuses paths that would leave the folder.
        if !matches!(
            entry.header().entry_type(),
            tar::EntryType::Regular | tar::EntryType::Directory
        ) {
            bail!(
                "{}: {} is neither a file nor a folder; nothing was changed",
                archive.display(),
                path.display()
            );
        }
        if !entry.unpack_in(staging).map_err(damaged)? {
            bail!(
                "{}: an entry leaves the archive's folder",
                archive.display()
            );
        }
    }
    // The rest of the stream: gzip checks its length and CRC at its very end.
    let mut rest = tar.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(damaged)?;
    let Some(text) = manifest else {
        bail!(
            "{} has no manifest: not a coopol backup, or incomplete; nothing was changed",
            archive.display()
        );
    };
    serde_json::from_str(&text).map_err(|e| {
        anyhow!(
            "{}: the manifest cannot be read ({e}); nothing was changed",
            archive.display()
        )
    })
}

/// Checks the unpacked archive against its manifest and this binary.
fn check_manifest(manifest: &Manifest, backend: Backend, staging: &Path) -> anyhow::Result<()> {
    if manifest.format != FORMAT {
        bail!(
            "the archive's layout ({}) is not the one this coopol reads ({FORMAT}); nothing was changed",
            manifest.format
        );
    }
    if manifest.database != backend_name(backend) {
        bail!(
            "the archive holds a {} database and this configuration's database_url is {}: \
             set database_url to the same kind; nothing was changed",
            manifest.database,
            backend_name(backend)
        );
    }
    if ![SQLITE_FILE, PG_DUMP_FILE].contains(&manifest.database_file.as_str()) {
        bail!("the manifest names no database file of the archive; nothing was changed");
    }
    let known = Db::latest_migration(backend);
    if manifest.last_migration > known {
        bail!(
            "the archive comes from a newer coopol ({}; its database has migration {}, this \
             coopol {} knows up to {known}): install that version or newer to restore it; \
             nothing was changed",
            manifest.coopol_version,
            manifest.last_migration,
            env!("CARGO_PKG_VERSION")
        );
    }
    let database = staging.join(&manifest.database_file);
    let (bytes, sha256) = file_digest(&database)
        .map_err(|e| anyhow!("the archive's database cannot be read ({e}); nothing was changed"))?;
    if bytes != manifest.database_bytes || sha256 != manifest.database_sha256 {
        bail!("the archive's database differs from its manifest (damaged); nothing was changed");
    }
    let media = files_under(&staging.join(MEDIA_DIR))?;
    let media_bytes: u64 = media
        .iter()
        .map(|(_, p)| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    if media.len() as u64 != manifest.media_files || media_bytes != manifest.media_bytes {
        bail!(
            "the archive holds {} media files ({media_bytes} bytes), its manifest {} ({} \
             bytes): damaged; nothing was changed",
            media.len(),
            manifest.media_files,
            manifest.media_bytes
        );
    }
    Ok(())
}

/// Every file under `dir`, as (path relative to it with `/`, path), sorted.
fn files_under(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                let key = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                files.push((key, path));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// A connection to the database `config` names, without the server's pool.
async fn connect(config: &Config) -> anyhow::Result<sqlx::AnyConnection> {
    sqlx::any::install_default_drivers();
    match db::sqlite_file(&config.database_url) {
        Some(file) => open_sqlite_file(&file, false).await,
        None => sqlx::AnyConnection::connect(&config.database_url)
            .await
            .context("cannot connect to the database"),
    }
}

/// Whether the database has no table yet (a SQLite file missing counts as empty).
async fn database_is_empty(config: &Config, backend: Backend) -> anyhow::Result<bool> {
    if let Some(file) = db::sqlite_file(&config.database_url)
        && !file.exists()
    {
        return Ok(true);
    }
    let mut conn = connect(config).await?;
    let tables = db::backup::tables(&mut conn, backend).await?;
    conn.close().await?;
    Ok(tables.is_empty())
}

/// Puts the archive's SQLite file where `database_url` says, replacing what is there (with
/// its write-ahead log).
async fn restore_sqlite(config: &Config, database: &Path) -> anyhow::Result<()> {
    let Some(file) = db::sqlite_file(&config.database_url) else {
        bail!("database_url names no SQLite file to restore into");
    };
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut incoming = file.clone().into_os_string();
    incoming.push(".restoring");
    let incoming = PathBuf::from(incoming);
    std::fs::copy(database, &incoming)
        .with_context(|| format!("cannot write {}", incoming.display()))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = file.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    std::fs::rename(&incoming, &file)
        .with_context(|| format!("cannot replace {}", file.display()))?;
    Ok(())
}

/// Loads the archive's dump into the PostgreSQL database `database_url` names, emptied first.
async fn restore_postgres(config: &Config, dump: &Path) -> anyhow::Result<()> {
    let pg_restore = pg_tool(config, "pg_restore")?;
    let mut conn = connect(config).await?;
    db::backup::empty_postgres(&mut conn).await?;
    conn.close().await?;
    let output = pg_command(&pg_restore, &config.database_url)?
        .args(["--no-owner", "--no-privileges", "--exit-on-error"])
        .arg(dump)
        .output()
        .await
        .with_context(|| format!("cannot run {}", pg_restore.display()))?;
    if !output.status.success() {
        bail!(
            "{} failed: {}",
            pg_restore.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// How often a server checks whether the scheduled backup is due (at most; sooner when the
/// interval is shorter).
const SCHEDULE_CHECK: Duration = Duration::from_secs(300);

/// The scheduled backup: every `backup_interval_hours`, one process of the instance (the one
/// that claims the turn in the database) makes a backup into `backup_destination`.
pub async fn run(state: crate::state::AppState, stop: CancellationToken) {
    let Some(interval) = state.config.backup.interval else {
        return;
    };
    let mut tick = tokio::time::interval(SCHEDULE_CHECK.min(interval));
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tick.tick() => {
                let now = crate::clock::now();
                let every = interval.as_micros() as i64;
                match db::settings::take_chore(state.pool(), "backup", now, every).await {
                    Ok(true) => {
                        let config = &state.config;
                        match backup(config, &state.db, &config.backup.destination).await {
                            Ok(made) => tracing::info!(
                                location = %made.location,
                                bytes = made.bytes,
                                removed = made.removed.len(),
                                "scheduled backup made"
                            ),
                            Err(e) => {
                                let error = format!("{e:#}");
                                tracing::error!(%error, "scheduled backup failed");
                            }
                        }
                    }
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "scheduled backup turn not taken"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_keeps_the_newest_archives_coopol_made() {
        assert!(is_archive_name(
            "coopol-backup-20261207T081500.123456Z.tar.gz"
        ));
        for other in [
            "coopol-backup-latest.tar.gz",
            "notes.txt",
            ".coopol-backup-20261207T081500.123456Z.tar.gz.partial",
            "coopol-backup-20261207T081500.123456Z.tar",
        ] {
            assert!(!is_archive_name(other), "{other}");
        }
        let names = [
            "coopol-backup-20261207T090000.000000Z.tar.gz",
            "coopol-backup-20261205T090000.000000Z.tar.gz",
            "coopol-backup-20261206T090000.000000Z.tar.gz",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            past_retention(names.clone(), 2),
            ["coopol-backup-20261205T090000.000000Z.tar.gz"]
        );
        assert!(past_retention(names, 3).is_empty());
    }
}
