//! Backups and restores (issue 33, item 1): `coopol backup` of a running instance under write
//! load, `coopol restore` into a fresh data directory and database, a server started on the
//! result; archives in a folder and in an S3 bucket (Garage) with retention; the scheduled
//! backup made once by one of two processes; and the refusals: a database that is not empty,
//! a damaged archive, an archive of a newer schema, PostgreSQL tools that cannot be found.
//! The whole file runs on SQLite and on PostgreSQL (with pg_dump and pg_restore).

mod common;

use common::{TestApp, fresh_database, spawn_app, spawn_app_with};
use coopol::{
    backup::{self, Manifest},
    config::{BackupTarget, Config, MediaStore},
    domain::Role,
};
use reqwest::{StatusCode, multipart};
use serde_json::{Value, json};
use std::{
    collections::BTreeSet,
    io::Read,
    path::{Path, PathBuf},
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
};

const BIN: &str = env!("CARGO_BIN_EXE_coopol");

/// A small PNG, different for each `seed`.
fn png(seed: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(24, 16, |x, y| {
        image::Rgb([(x * 7 + seed) as u8, (y * 11) as u8, seed as u8])
    });
    let mut out = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A local time `days` from now at `hour`, as the event form takes it.
fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Uploads a picture as `token`: its id.
async fn upload(app: &TestApp, token: &str, seed: u32) -> String {
    let form = multipart::Form::new().part(
        "file",
        multipart::Part::bytes(png(seed))
            .file_name("tract.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let res = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["id"].as_str().unwrap().to_string()
}

/// Posts as `token` (with media): the post's id.
async fn post(app: &TestApp, token: &str, text: &str, media: &[String]) -> String {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": text, "media_ids": media, "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().unwrap().to_string()
}

/// The rows of a table.
async fn count(app_db: &sqlx::AnyPool, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(app_db)
        .await
        .unwrap()
}

/// The manifest of an archive, read as any tool reads a tar.gz.
fn manifest_of(archive: &Path) -> Manifest {
    let file = std::fs::File::open(archive).unwrap();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap() == Path::new("manifest.json") {
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            return serde_json::from_str(&text).unwrap();
        }
    }
    panic!("no manifest in {}", archive.display());
}

/// The archives coopol made in a folder, sorted (oldest first).
fn archives_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.retain(|p| {
        let name = p.file_name().unwrap().to_str().unwrap();
        name.starts_with("coopol-backup-") && name.ends_with(".tar.gz")
    });
    found.sort();
    found
}

/// A fresh place to restore into: a data directory and an empty database (a new machine).
struct Fresh {
    dir: tempfile::TempDir,
    config: Config,
}

impl Fresh {
    async fn new() -> Fresh {
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(dir.path()).await;
        let config = Config::for_tests("http://localhost:1", &database, dir.path().join("data"));
        Fresh { dir, config }
    }

    /// The COOPOL_* variables that describe it to the command line.
    fn vars(&self) -> Vec<(String, String)> {
        vec![
            (
                "COOPOL_DATABASE_URL".into(),
                self.config.database_url.clone(),
            ),
            (
                "COOPOL_DATA_DIR".into(),
                self.config.data_dir.display().to_string(),
            ),
        ]
    }

    /// The tables of its database (none while nothing was restored).
    async fn tables(&self) -> usize {
        if let Some(file) = coopol::db::sqlite_file(&self.config.database_url)
            && !file.exists()
        {
            return 0;
        }
        let db = coopol::db::Db::connect(&self.config.database_url, 1)
            .await
            .unwrap();
        let mut conn = db.pool().acquire().await.unwrap();
        let n = coopol::db::backup::tables(&mut conn, db.backend())
            .await
            .unwrap()
            .len();
        drop(conn);
        db.close().await;
        n
    }

    /// Starts a server on what was restored.
    async fn serve(&self) -> TestApp {
        let (url, data_dir) = (
            self.config.database_url.clone(),
            self.config.data_dir.clone(),
        );
        spawn_app_with(move |c| {
            c.media.store = MediaStore::Directory(data_dir.join("media"));
            c.database_url = url;
            c.data_dir = data_dir;
        })
        .await
    }
}

/// Runs the command line with only the given COOPOL_* variables: (success, stdout, stderr).
fn coopol(args: &[&str], vars: &[(String, String)]) -> (bool, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("COOPOL_") {
            cmd.env_remove(key);
        }
    }
    for (key, value) in vars {
        cmd.env(key, value);
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The COOPOL_* variables of a running test instance, for a command on the same instance.
fn vars_of(app: &TestApp) -> Vec<(String, String)> {
    let config = &app.state.config;
    let MediaStore::Directory(media) = &config.media.store else {
        panic!("the directory store")
    };
    vec![
        ("COOPOL_PUBLIC_URL".into(), app.base.clone()),
        ("COOPOL_DATABASE_URL".into(), config.database_url.clone()),
        (
            "COOPOL_DATA_DIR".into(),
            config.data_dir.display().to_string(),
        ),
        ("COOPOL_MEDIA_DIR".into(), media.display().to_string()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_write_load_restores_every_post_member_participation_and_medium() {
    let app = Arc::new(spawn_app().await);
    let (_, ana) = app.user_with_token("ana", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    let mut before = Vec::new();
    for i in 0..3 {
        let media = upload(&app, &ana, i).await;
        before.push(post(&app, &ana, &format!("tract {i}"), &[media]).await);
    }
    let (status, event) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&ana),
            &json!({"name": "Tractage", "start_time": in_days(3, 9), "end_time": in_days(3, 12),
                    "place_name": "Halles", "postcode": "64000"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let event_id = event["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .post_json(
            &format!("/api/coopol/v1/events/{event_id}/participation"),
            Some(&bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The write load: posts with pictures, new members, follows, while the backup runs. Each
    // write that ends while a backup runs is counted; a backup on a busy machine may be over
    // before one write ends, so backups are made again (at most five, each replacing the
    // last) until one ran alongside a write.
    let stop = Arc::new(AtomicBool::new(false));
    let backing_up = Arc::new(AtomicBool::new(false));
    let during = Arc::new(AtomicUsize::new(0));
    let load = {
        let (app, stop, backing_up, during, ana) = (
            app.clone(),
            stop.clone(),
            backing_up.clone(),
            during.clone(),
            ana.clone(),
        );
        tokio::spawn(async move {
            let mut written = Vec::new();
            let mut i = 100;
            let count = |during: &AtomicUsize| {
                if backing_up.load(Ordering::Relaxed) {
                    during.fetch_add(1, Ordering::Relaxed);
                }
            };
            while !stop.load(Ordering::Relaxed) {
                let media = upload(&app, &ana, i).await;
                count(&during);
                let id = post(&app, &ana, &format!("load {i}"), &[media]).await;
                count(&during);
                let member = app
                    .create_user(&format!("member{i}"), "correct horse battery", Role::Member)
                    .await;
                count(&during);
                let (status, _) = app
                    .post_json(
                        &format!("/api/v1/accounts/{member}/follow"),
                        Some(&ana),
                        &json!({}),
                    )
                    .await;
                assert_eq!(status, StatusCode::OK);
                count(&during);
                written.push(id);
                i += 1;
            }
            written
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let saves = tempfile::tempdir().unwrap();
    let to = saves
        .path()
        .join("coopol-backup.tar.gz")
        .display()
        .to_string();
    for _ in 0..5 {
        let (vars, to) = (vars_of(&app), to.clone());
        backing_up.store(true, Ordering::Relaxed);
        let (ok, out, err) =
            tokio::task::spawn_blocking(move || coopol(&["backup", "--to", &to], &vars))
                .await
                .unwrap();
        backing_up.store(false, Ordering::Relaxed);
        assert!(ok, "coopol backup failed:\n{out}\n{err}");
        assert!(out.contains("backup written:"), "{out}");
        if during.load(Ordering::Relaxed) > 0 {
            break;
        }
    }
    // Wait until the load wrote again after the backup, then stop it.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let written = load.await.unwrap();
    // The writers went on while the database was copied.
    assert!(
        during.load(Ordering::Relaxed) > 0,
        "no write completed while five backups ran"
    );

    let archive = &saves.path().join("coopol-backup.tar.gz");
    let manifest = manifest_of(archive);
    assert_eq!(manifest.database, common::backend_name());
    assert_eq!(manifest.coopol_version, env!("CARGO_PKG_VERSION"));
    assert!(manifest.media_files >= 3, "{manifest:?}");

    // A new machine: an empty database and data directory.
    let fresh = Fresh::new().await;
    let archive_text = archive.display().to_string();
    let vars = fresh.vars();
    let (ok, out, err) =
        tokio::task::spawn_blocking(move || coopol(&["restore", &archive_text], &vars))
            .await
            .unwrap();
    assert!(ok, "coopol restore failed:\n{out}\n{err}");
    assert!(out.contains("restored the backup of"), "{out}");
    assert!(
        fresh
            .config
            .data_dir
            .join("restored-config/environment")
            .is_file(),
        "the archive's environment is put aside"
    );
    let restored = fresh.serve().await;
    let db = restored.state.pool();

    // Every table holds what it held at the snapshot's moment.
    for table in ["statuses", "accounts", "participants", "media", "follows"] {
        assert_eq!(
            count(db, table).await,
            manifest.tables[table],
            "rows of {table}"
        );
    }
    // Posts: every one written before the backup began is there, and nothing that the source
    // never had.
    let ids: BTreeSet<i64> = sqlx::query_scalar::<_, i64>("SELECT id FROM statuses")
        .fetch_all(db)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let source_ids: BTreeSet<i64> = sqlx::query_scalar::<_, i64>("SELECT id FROM statuses")
        .fetch_all(app.state.pool())
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert!(ids.is_subset(&source_ids));
    for id in &before {
        assert!(ids.contains(&id.parse::<i64>().unwrap()), "post {id} lost");
        let (status, body) = restored
            .get_json(&format!("/api/v1/statuses/{id}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Its picture is served from the restored store, the same bytes as at the source.
        let url = body["media_attachments"][0]["url"].as_str().unwrap();
        let path = &url[url.find("/media/").unwrap()..];
        let there = restored.get(path, None).await;
        assert_eq!(there.status(), StatusCode::OK, "{path}");
        let here = app.get(path, None).await.bytes().await.unwrap();
        assert_eq!(there.bytes().await.unwrap(), here, "{path}");
    }
    assert!(written.len() > 1);
    // Members: the first ones, and as many as the snapshot held.
    for name in ["ana", "bob"] {
        let (status, _) = restored
            .get_json(&format!("/api/v1/accounts/lookup?acct={name}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{name}");
    }
    // The participation.
    let state: String = sqlx::query_scalar(
        "SELECT p.state FROM participants p JOIN accounts a ON a.id = p.account_id \
         WHERE a.username = 'bob'",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(state, "accepted");
    // Every medium of the restored database has its file, of the size it records.
    let files: Vec<(String, i64)> =
        sqlx::query_as("SELECT file_key, file_size FROM media WHERE file_key IS NOT NULL")
            .fetch_all(db)
            .await
            .unwrap();
    assert!(files.len() >= 3);
    for (key, size) in files {
        let fetched = restored.state.media.store.get(&key, None).await.unwrap();
        let fetched = fetched.unwrap_or_else(|| panic!("{key} missing"));
        assert_eq!(fetched.total as i64, size, "{key}");
    }
    // Signing in works: the password hashes came back.
    let client = restored
        .register_app("read", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    restored
        .password_token(&client, "ana@example.org", "correct horse battery", "read")
        .await;
    restored.stop().await;
    Arc::try_unwrap(app).ok().unwrap().stop().await;
}

/// A small instance with a post, backed up in-process: (app, archive folder, archive).
async fn backed_up(app: &TestApp) -> (tempfile::TempDir, PathBuf) {
    let saves = tempfile::tempdir().unwrap();
    let made = backup::backup(
        &app.state.config,
        &app.state.db,
        &BackupTarget::Folder(saves.path().to_path_buf()),
    )
    .await
    .unwrap();
    let archive = PathBuf::from(&made.location);
    assert!(archive.is_file());
    (saves, archive)
}

#[tokio::test]
async fn restore_refuses_a_database_in_use_a_damaged_archive_and_a_newer_schema() {
    let app = spawn_app().await;
    let (_, ana) = app.user_with_token("ana", "read write").await;
    let media = upload(&app, &ana, 1).await;
    post(&app, &ana, "tract", &[media]).await;
    let (_saves, archive) = backed_up(&app).await;
    let source = archive.display().to_string();

    // Over a database that is not empty (the instance's own): refused, nothing changed.
    let posts = count(app.state.pool(), "statuses").await;
    let err = backup::restore(&app.state.config, &source, false)
        .await
        .unwrap_err();
    let message = format!("{err:#}");
    assert!(
        message.contains("not empty") && message.contains("--force"),
        "{message}"
    );
    assert_eq!(count(app.state.pool(), "statuses").await, posts);

    // Damaged archives: cut short, or with a byte changed. Refused, nothing written.
    let bytes = std::fs::read(&archive).unwrap();
    let fresh = Fresh::new().await;
    let cut = fresh.dir.path().join("cut.tar.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let mut flipped_bytes = bytes.clone();
    flipped_bytes[bytes.len() / 3] ^= 0x55;
    let flipped = fresh.dir.path().join("flipped.tar.gz");
    std::fs::write(&flipped, &flipped_bytes).unwrap();
    let junk = fresh.dir.path().join("junk.tar.gz");
    std::fs::write(&junk, b"not an archive at all").unwrap();
    // A link in the archive could lead the restore to files outside it: refused.
    let linked = fresh.dir.path().join("linked.tar.gz");
    {
        let file = std::fs::File::create(&linked).unwrap();
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        tar.append_link(&mut header, "media/passwd", "/etc/passwd")
            .unwrap();
        tar.into_inner().unwrap().finish().unwrap();
    }
    for bad in [&cut, &flipped, &junk, &linked] {
        let err = backup::restore(&fresh.config, &bad.display().to_string(), false)
            .await
            .unwrap_err();
        let message = format!("{err:#}");
        assert!(
            message.contains("nothing was changed"),
            "{}: {message}",
            bad.display()
        );
        assert_eq!(fresh.tables().await, 0, "{}", bad.display());
        assert!(
            !fresh.config.data_dir.join("media").exists()
                || std::fs::read_dir(fresh.config.data_dir.join("media"))
                    .unwrap()
                    .count()
                    == 0
        );
    }
    // The command line says it in one line, with status 1.
    let (ok, _, err) = coopol(&["restore", &cut.display().to_string()], &fresh.vars());
    assert!(!ok);
    assert!(err.contains("damaged or incomplete"), "{err}");

    // An archive from a newer coopol (its database applied a migration this one lacks).
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99999, 'from the future', TRUE, $1, 0)",
    )
    .bind(vec![0u8; 48])
    .execute(app.state.pool())
    .await
    .unwrap();
    let (_newer_saves, newer) = backed_up(&app).await;
    assert_eq!(manifest_of(&newer).last_migration, 99999);
    let err = backup::restore(&fresh.config, &newer.display().to_string(), false)
        .await
        .unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("newer coopol"), "{message}");
    assert_eq!(fresh.tables().await, 0);

    // The good archive restores into the fresh place; again only with --force.
    let done = backup::restore(&fresh.config, &source, false)
        .await
        .unwrap();
    assert_eq!(done.migrated, 0);
    let err = backup::restore(&fresh.config, &source, false)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("--force"));
    backup::restore(&fresh.config, &source, true).await.unwrap();
    let restored = fresh.serve().await;
    assert_eq!(count(restored.state.pool(), "statuses").await, posts);
    // Not even with --force while a server runs on it: its writes would be lost.
    let err = backup::restore(&fresh.config, &source, true)
        .await
        .unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("stop it first"), "{message}");
    assert_eq!(count(restored.state.pool(), "statuses").await, posts);
    restored.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn archives_kept_in_the_media_folder_are_not_backed_up_again() {
    let app = spawn_app().await;
    let (_, ana) = app.user_with_token("ana", "read write").await;
    let media = upload(&app, &ana, 1).await;
    post(&app, &ana, "tract", &[media]).await;
    let coopol::config::MediaStore::Directory(media_dir) = &app.state.config.media.store else {
        eprintln!("notice: the media store is not a folder; skipped");
        app.stop().await;
        return;
    };
    let inside = BackupTarget::Folder(media_dir.join("saves"));
    let first = backup::backup(&app.state.config, &app.state.db, &inside)
        .await
        .unwrap();
    let second = backup::backup(&app.state.config, &app.state.db, &inside)
        .await
        .unwrap();
    assert!(first.manifest.media_files >= 1);
    assert_eq!(second.manifest.media_files, first.manifest.media_files);
    assert_eq!(second.manifest.media_bytes, first.manifest.media_bytes);
    app.stop().await;
}

#[tokio::test]
async fn a_folder_keeps_the_last_archives_and_leaves_other_files_alone() {
    let app = spawn_app().await;
    app.create_user("ana", "correct horse battery", Role::Member)
        .await;
    let saves = tempfile::tempdir().unwrap();
    std::fs::write(saves.path().join("notes.txt"), b"mine").unwrap();
    std::fs::write(saves.path().join("coopol-backup-latest.tar.gz"), b"mine").unwrap();
    let mut config = (*app.state.config).clone();
    config.backup.keep = 2;
    let target = BackupTarget::Folder(saves.path().to_path_buf());
    let mut made = Vec::new();
    for _ in 0..3 {
        made.push(
            backup::backup(&config, &app.state.db, &target)
                .await
                .unwrap(),
        );
    }
    assert!(made[0].removed.is_empty() && made[1].removed.is_empty());
    assert_eq!(made[2].removed, [made[0].location.clone()]);
    let left = archives_in(saves.path());
    let kept: Vec<String> = left
        .iter()
        .map(|p| p.display().to_string())
        .filter(|p| !p.ends_with("latest.tar.gz"))
        .collect();
    assert_eq!(kept, [made[1].location.clone(), made[2].location.clone()]);
    assert!(saves.path().join("notes.txt").is_file());
    assert!(saves.path().join("coopol-backup-latest.tar.gz").is_file());
    // A file destination is replaced each time.
    let file = saves.path().join("nightly.tar.gz");
    for _ in 0..2 {
        backup::backup(&config, &app.state.db, &BackupTarget::File(file.clone()))
            .await
            .unwrap();
    }
    assert_eq!(
        manifest_of(&file).tables["accounts"],
        count(app.state.pool(), "accounts").await
    );
    app.stop().await;
}

#[tokio::test]
async fn archives_go_to_an_s3_bucket_with_retention_and_come_back_from_it() {
    if std::env::var("COOPOL_TEST_S3_ENDPOINT").is_err() {
        assert!(
            std::env::var("COOPOL_REQUIRE_S3").as_deref() != Ok("1"),
            "COOPOL_REQUIRE_S3=1 but no COOPOL_TEST_S3_ENDPOINT: start scripts/garage.sh"
        );
        eprintln!(
            "notice: no S3 store (COOPOL_TEST_S3_ENDPOINT): the bucket destination is not tried"
        );
        return;
    }
    let app = spawn_app().await;
    let (_, ana) = app.user_with_token("ana", "read write").await;
    let media = upload(&app, &ana, 3).await;
    post(&app, &ana, "tract", &[media]).await;
    let mut probe = (*app.state.config).clone();
    common::use_media_store(&mut probe, "s3");
    let MediaStore::S3(store) = probe.media.store else {
        unreachable!()
    };
    let prefix = format!("backups-{}/", coopol::crypto::random_code(8).to_lowercase());
    let mut config = (*app.state.config).clone();
    config.backup.keep = 2;
    let target = BackupTarget::Bucket {
        store: store.clone(),
        prefix: prefix.clone(),
    };
    let mut made = Vec::new();
    for _ in 0..3 {
        made.push(
            backup::backup(&config, &app.state.db, &target)
                .await
                .unwrap(),
        );
    }
    let bucket = coopol::media::Store::open(&MediaStore::S3(store.clone())).unwrap();
    let mut keys: Vec<String> = bucket
        .list(&prefix)
        .await
        .unwrap()
        .into_iter()
        .map(|(k, _)| format!("s3://{}/{k}", store.bucket))
        .collect();
    keys.sort();
    assert_eq!(keys, [made[1].location.clone(), made[2].location.clone()]);

    // Restored from the bucket on a new machine whose configuration names the S3 keys.
    let mut fresh = Fresh::new().await;
    let vars: Vec<(String, String)> = [
        ("S3_ENDPOINT", store.endpoint.to_string()),
        ("S3_REGION", store.region.clone()),
        ("S3_ACCESS_KEY_ID", store.access_key_id.clone()),
        ("S3_SECRET_ACCESS_KEY", store.secret_access_key.clone()),
        ("DATABASE_URL", fresh.config.database_url.clone()),
        ("DATA_DIR", fresh.config.data_dir.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (format!("COOPOL_{k}"), v))
    .collect();
    fresh.config = Config::from_sources(None, |name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
    .unwrap();
    let done = backup::restore(&fresh.config, &made[2].location, false)
        .await
        .unwrap();
    assert_eq!(done.manifest, made[2].manifest);
    let restored = fresh.serve().await;
    assert_eq!(
        count(restored.state.pool(), "statuses").await,
        count(app.state.pool(), "statuses").await
    );
    restored.stop().await;
    for (key, _) in bucket.list(&prefix).await.unwrap() {
        bucket.delete(&key).await.unwrap();
    }
    app.stop().await;
}

#[tokio::test]
async fn the_scheduled_backup_is_made_once_by_one_of_two_processes() {
    let saves = tempfile::tempdir().unwrap();
    let folder = saves.path().to_path_buf();
    let configure = {
        let folder = folder.clone();
        move |c: &mut Config| {
            c.backup.interval = Some(std::time::Duration::from_secs(3600));
            c.backup.destination = BackupTarget::Folder(folder);
        }
    };
    let first = spawn_app_with(configure.clone()).await;
    // A second process of the same instance (same database and media), with the same
    // schedule.
    let mut config = (*first.state.config).clone();
    let second_dir = tempfile::tempdir().unwrap();
    config.data_dir = second_dir.path().to_path_buf();
    configure(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = coopol::app::Server::start(config, listener).await.unwrap();
    common::eventually("a scheduled backup", || {
        let folder = folder.clone();
        async move { archives_in(&folder).len() == 1 }
    })
    .await;
    // Both processes checked at their start: one took the turn.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(archives_in(&folder).len(), 1);
    let next_at: i64 = sqlx::query_scalar("SELECT next_at FROM chores WHERE name = 'backup'")
        .fetch_one(first.state.pool())
        .await
        .unwrap();
    assert!(next_at > coopol::clock::now() + 3_000_000_000);
    second.shutdown().await.unwrap();
    first.stop().await;
}

#[tokio::test]
async fn without_pg_dump_the_backup_names_the_setting_and_the_manual_procedure() {
    if common::backend_name() != "postgres" {
        eprintln!("notice: PostgreSQL only (pg_dump)");
        return;
    }
    let app = spawn_app().await;
    let empty = tempfile::tempdir().unwrap();
    let mut config = (*app.state.config).clone();
    config.backup.pg_bin_dir = Some(empty.path().to_path_buf());
    let saves = tempfile::tempdir().unwrap();
    let err = backup::backup(
        &config,
        &app.state.db,
        &BackupTarget::Folder(saves.path().to_path_buf()),
    )
    .await
    .unwrap_err();
    let message = format!("{err:#}");
    assert!(
        message.contains("pg_dump")
            && message.contains("backup_pg_bin_dir")
            && message.contains("README.md"),
        "{message}"
    );
    assert!(archives_in(saves.path()).is_empty());
    app.stop().await;
}

#[tokio::test]
async fn an_archive_of_an_older_schema_is_restored_then_migrated() {
    let app = spawn_app().await;
    app.create_user("ana", "correct horse battery", Role::Member)
        .await;
    // The database as a coopol without migration 0056 left it.
    for sql in [
        "DROP TABLE delivery_failures",
        "DELETE FROM _sqlx_migrations WHERE version = 56",
    ] {
        sqlx::query(sql).execute(app.state.pool()).await.unwrap();
    }
    let (_saves, archive) = backed_up(&app).await;
    assert!(
        !manifest_of(&archive)
            .tables
            .contains_key("delivery_failures")
    );
    let fresh = Fresh::new().await;
    let done = backup::restore(&fresh.config, &archive.display().to_string(), false)
        .await
        .unwrap();
    assert_eq!(done.migrated, 1);
    let restored = fresh.serve().await;
    assert_eq!(count(restored.state.pool(), "delivery_failures").await, 0);
    assert_eq!(
        count(restored.state.pool(), "accounts").await,
        done.manifest.tables["accounts"]
    );
    restored.stop().await;
    app.stop().await;
}
