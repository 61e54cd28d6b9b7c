//! The command line: `coopol serve`, `coopol migrate`, `coopol user create|list`, `coopol
//! recount`, `coopol media usage|sweep|purge-remote`, `coopol doctor`, `coopol backup`,
//! `coopol restore`.
//!
//! Exit status: 0 on success, 1 when the command failed, 2 for a usage or configuration error
//! (one line naming the problem, never a backtrace).

use crate::{
    app,
    config::{Config, LogFormat},
    crypto, db,
    domain::Role,
    service::{self, accounts::Registrar, accounts::Registration},
    state::AppState,
};
use clap::{Parser, Subcommand};
use std::{io::BufRead, path::PathBuf, process::ExitCode};

/// coopol: a federated organizing network for political movements.
///
/// Every setting has a default; see config.example.toml. Settings come from the file given with
/// --config (or coopol.toml in the working directory), then from COOPOL_* environment
/// variables.
#[derive(Parser, Debug)]
#[command(name = "coopol", version, about, long_about)]
struct Cli {
    /// Configuration file [default: coopol.toml in the working directory, if present]
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server: applies pending migrations, serves on `listen`, stops cleanly on
    /// Ctrl-C or SIGTERM after finishing the requests in flight.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate {
        /// Only list the migrations that would be applied (version and what each does);
        /// change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Manage local accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Count every profile's numbers (followers, following, posts) and every post's answers,
    /// boosts and likes again from the stored rows, then exit. The database keeps them up to
    /// date by itself; this repairs numbers that drifted, e.g. after rows were edited by hand.
    Recount,
    /// Media files (pictures, video, sound, documents): what the store holds, and clean-ups.
    #[command(subcommand)]
    Media(MediaCommand),
    /// Check the instance without changing it: configuration, data directory, database,
    /// media store, SMTP server, that the public URL leads here, and the clock. One line per
    /// check; exits with status 1 when one failed.
    Doctor,
    /// Write a backup of the whole instance (database, media, configuration file and
    /// secrets) into one archive, while the server runs; then remove the archives past
    /// `backup_keep` in that destination. Prints where the archive is.
    Backup {
        /// A folder, a file ending in .tar.gz, or s3://BUCKET/PREFIX [default:
        /// backup_destination]
        #[arg(long, value_name = "DESTINATION")]
        to: Option<String>,
    },
    /// Bring an instance back from an archive of `coopol backup`, into the database and media
    /// store this configuration names (a new machine: an empty database). The archive is
    /// checked whole first; an archive of an older coopol is migrated after the restore.
    Restore {
        /// The archive: a file, or s3://BUCKET/KEY.
        archive: String,
        /// Replace a database that is not empty.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand, Debug)]
enum MediaCommand {
    /// Show the media store (a folder or S3) and what it holds by kind: uploads made here and
    /// cached copies of other servers' media, read from the database.
    Usage {
        /// Also list the store itself and count its files (slow on a large S3 bucket): more
        /// files than the database knows of are leftovers.
        #[arg(long)]
        list_store: bool,
    },
    /// Remove now what the hourly sweep removes: media marked removed, uploads never attached
    /// for `media_unattached_hours`, the media of deleted posts, failed uploads after an hour.
    Sweep,
    /// Remove every cached copy of other servers' media from the store now (to free space).
    /// They are fetched again from their servers when someone looks at them.
    PurgeRemote,
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account that can sign in at once, and print its handle.
    ///
    /// Without --password-stdin a random password is generated and printed.
    Create {
        /// The username: letters, digits and underscores, up to 30 characters.
        name: String,
        /// The e-mail address used to sign in.
        #[arg(long)]
        email: String,
        /// Make the account an administrator (same as --role admin).
        #[arg(long)]
        admin: bool,
        /// The account's role: admin, moderator or member.
        #[arg(long, value_name = "ROLE", conflicts_with = "admin")]
        role: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List local accounts.
    List,
}

/// Runs the command line; returns the process's exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("coopol: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("coopol: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(run(cli.command, config));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Usage(message)) => {
            eprintln!("coopol: {message}");
            ExitCode::from(2)
        }
        Err(CliError::Failed(e)) => {
            eprintln!("coopol: {e:#}");
            ExitCode::from(1)
        }
    }
}

enum CliError {
    /// Bad input from the person at the keyboard.
    Usage(String),
    /// The command could not be carried out.
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Failed(e)
    }
}

fn init_logging(config: &Config, default_level: &str) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(f) if !f.is_empty() => tracing_subscriber::EnvFilter::new(f),
        _ => tracing_subscriber::EnvFilter::new(if default_level.is_empty() {
            &config.log_level
        } else {
            default_level
        }),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn run(command: Command, config: Config) -> Result<(), CliError> {
    match command {
        Command::Serve => {
            init_logging(&config, "");
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
            let public_url = config.public_url.clone();
            let server = app::Server::start(config, listener).await?;
            tracing::info!(
                address = %server.addr,
                public_url = %public_url,
                "coopol {} is serving",
                env!("CARGO_PKG_VERSION")
            );
            server.run_until(app::shutdown_signal()).await?;
            tracing::info!("stopped");
            Ok(())
        }
        Command::Migrate { dry_run: true } => {
            init_logging(&config, "warn");
            if let Some(file) = db::sqlite_file(&config.database_url)
                && !file.exists()
            {
                println!(
                    "no database yet at {}: every migration would be applied",
                    file.display()
                );
                return Ok(());
            }
            let db = db::Db::connect(&config.database_url, 1)
                .await
                .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
            let pending = db.pending_migrations().await;
            db.close().await;
            let pending =
                pending.map_err(|e| anyhow::anyhow!("cannot read the applied migrations: {e}"))?;
            println!("{} migration(s) would be applied", pending.len());
            for (version, description) in pending {
                println!("{version:04} {description}");
            }
            Ok(())
        }
        Command::Migrate { dry_run: false } => {
            init_logging(&config, "");
            let db = db::Db::connect(&config.database_url, 1)
                .await
                .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
            let applied = db
                .migrate()
                .await
                .map_err(|e| anyhow::anyhow!("cannot apply migrations: {e}"))?;
            db.close().await;
            println!("{applied} migration(s) applied");
            Ok(())
        }
        Command::Recount => {
            init_logging(&config, "warn");
            let db = app::open_database(&config).await?;
            let counted = recount(&db).await;
            db.close().await;
            let (accounts, posts) =
                counted.map_err(|e| anyhow::anyhow!("cannot count again: {e}"))?;
            println!(
                "counted again: {accounts} account(s), {posts} post(s) with answers, boosts or likes"
            );
            Ok(())
        }
        Command::Media(cmd) => {
            init_logging(&config, "warn");
            let db = app::open_database(&config).await?;
            let state = AppState::new(config, db)?;
            let result = media_command(&state, cmd).await;
            state.db.close().await;
            result
        }
        Command::Doctor => {
            init_logging(&config, "error");
            let findings = crate::doctor::run(&config).await;
            for finding in &findings {
                println!("{}", finding.line());
            }
            let failed = findings
                .iter()
                .filter(|f| f.outcome == crate::doctor::Outcome::Failed)
                .count();
            if failed > 0 {
                return Err(CliError::Failed(anyhow::anyhow!(
                    "{failed} check(s) failed"
                )));
            }
            Ok(())
        }
        Command::Backup { to } => {
            init_logging(&config, "warn");
            let target = match to {
                Some(to) => config
                    .backup
                    .target(&to)
                    .map_err(|why| CliError::Usage(format!("--to {to}: {why}")))?,
                None => config.backup.destination.clone(),
            };
            if let Some(file) = db::sqlite_file(&config.database_url)
                && !file.exists()
            {
                return Err(CliError::Usage(format!(
                    "no database at {}: nothing to back up",
                    file.display()
                )));
            }
            let db = db::Db::connect(&config.database_url, 2)
                .await
                .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
            let made = crate::backup::backup(&config, &db, &target).await;
            db.close().await;
            let made = made?;
            let rows: i64 = made.manifest.tables.values().sum();
            println!(
                "backup written: {} ({})",
                made.location,
                size(made.bytes as i64)
            );
            println!(
                "database: {} at migration {}, {} tables, {rows} rows; media: {} files, {}",
                made.manifest.database,
                made.manifest.last_migration,
                made.manifest.tables.len(),
                made.manifest.media_files,
                size(made.manifest.media_bytes as i64)
            );
            for old in &made.removed {
                println!("removed the older archive {old}");
            }
            Ok(())
        }
        Command::Restore { archive, force } => {
            init_logging(&config, "warn");
            let restored = crate::backup::restore(&config, &archive, force).await?;
            let m = &restored.manifest;
            let rows: i64 = m.tables.values().sum();
            println!(
                "restored the backup of {} made {} by coopol {}",
                m.public_url, m.created_at, m.coopol_version
            );
            println!(
                "database: {} tables, {rows} rows, {} migration(s) applied since; media: {} files",
                m.tables.len(),
                restored.migrated,
                m.media_files
            );
            println!(
                "the archive's configuration is in {}: compare it with this machine's \
                 (public_url must stay the same)",
                restored.config_dir.display()
            );
            Ok(())
        }
        Command::User(cmd) => {
            init_logging(&config, "warn");
            let db = app::open_database(&config).await?;
            let state = AppState::new(config, db)?;
            let result = user_command(&state, cmd).await;
            state.db.close().await;
            result
        }
    }
}

/// Both recounts in one transaction: readers see the old numbers or the new ones.
async fn recount(db: &db::Db) -> Result<(u64, u64), sqlx::Error> {
    let mut tx = db.begin().await?;
    let accounts = db::accounts::recount_stats(&mut tx).await?;
    let posts = db::statuses::recount_stats(&mut tx).await?;
    tx.commit().await?;
    Ok((accounts, posts))
}

async fn user_command(state: &AppState, cmd: UserCommand) -> Result<(), CliError> {
    match cmd {
        UserCommand::Create {
            name,
            email,
            admin,
            role,
            password_stdin,
        } => {
            let role = match (admin, role) {
                (true, _) => Role::Admin,
                (false, Some(r)) => Role::parse(&r).map_err(|_| {
                    CliError::Usage(format!(
                        "unknown role {r:?}: use admin, moderator or member"
                    ))
                })?,
                (false, None) => Role::Member,
            };
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).map_err(|e| {
                    anyhow::anyhow!("cannot read the password from standard input: {e}")
                })?;
                (line.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (crypto::random_code(16), true)
            };
            let registration = Registration {
                username: name,
                email,
                password: password.clone(),
                ..Registration::default()
            };
            let user =
                service::accounts::register(state, registration, Registrar::Administrator(role))
                    .await
                    .map_err(|e| {
                        if e.fields.is_empty() {
                            CliError::Failed(anyhow::anyhow!(e.message(crate::domain::Locale::En)))
                        } else {
                            CliError::Usage(e.message(crate::domain::Locale::En))
                        }
                    })?;
            println!("{}", service::accounts::handle(state, &user.username));
            if generated {
                // Shown once, for the administrator to hand over; it is stored only hashed.
                println!("password: {password}");
            }
            Ok(())
        }
        UserCommand::List => {
            let users = db::accounts::users(state.pool(), None)
                .await
                .map_err(|e| anyhow::anyhow!("cannot list accounts: {e}"))?;
            println!(
                "{:<8} {:<40} {:<40} {:<10} {:<9} created",
                "id", "handle", "email", "role", "state"
            );
            for u in users {
                println!(
                    "{:<8} {:<40} {:<40} {:<10} {:<9} {}",
                    u.account_id,
                    service::accounts::handle(state, &u.username),
                    u.email,
                    u.role,
                    u.state,
                    crate::clock::to_date(u.created_at)
                );
            }
            Ok(())
        }
    }
}

/// `1234567 (1.2 MiB)`: bytes, and the same for people.
fn size(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{bytes} ({value:.1} {})", UNITS[unit])
    }
}

/// Cached copies removed by `coopol media purge-remote` at a time.
const PURGE_BATCH: i64 = 200;

async fn media_command(state: &AppState, cmd: MediaCommand) -> Result<(), CliError> {
    use crate::config::MediaStore;
    match cmd {
        MediaCommand::Usage { list_store } => {
            match &state.config.media.store {
                MediaStore::Directory(dir) => println!(
                    "store: directory {}",
                    std::fs::canonicalize(dir).unwrap_or(dir.clone()).display()
                ),
                MediaStore::S3(s3) => println!(
                    "store: s3 {} bucket {}",
                    s3.endpoint.as_str().trim_end_matches('/'),
                    s3.bucket
                ),
            }
            let rows = db::media::usage(state.pool())
                .await
                .map_err(|e| anyhow::anyhow!("cannot read the media: {e}"))?;
            let (uncached, processing) = db::media::uncached_and_processing(state.pool())
                .await
                .map_err(|e| anyhow::anyhow!("cannot read the media: {e}"))?;
            println!(
                "{:<10} {:<7} {:>8} {:>9}  size",
                "kind", "origin", "media", "previews"
            );
            // By kind and origin (the states summed), then the totals by origin.
            let mut lines: Vec<(String, i64, i64, i64, i64)> = Vec::new();
            let mut add = |kind: String, remote: i64, row: &db::media::UsageRow| match lines
                .iter_mut()
                .find(|l| l.0 == kind && l.1 == remote)
            {
                Some(line) => {
                    line.2 += row.media;
                    line.3 += row.previews;
                    line.4 += row.bytes;
                }
                None => lines.push((kind, remote, row.media, row.previews, row.bytes)),
            };
            for row in &rows {
                add(row.kind.as_str().to_string(), row.remote, row);
            }
            for row in &rows {
                add("total".to_string(), row.remote, row);
            }
            for remote in [0, 1] {
                if !lines.iter().any(|l| l.0 == "total" && l.1 == remote) {
                    lines.push(("total".to_string(), remote, 0, 0, 0));
                }
            }
            for (kind, remote, media, previews, bytes) in &lines {
                let origin = if *remote == 1 { "cached" } else { "local" };
                println!(
                    "{kind:<10} {origin:<7} {media:>8} {previews:>9}  {}",
                    size(*bytes)
                );
            }
            let removed = rows
                .iter()
                .filter(|r| r.state == crate::domain::media::MediaState::Removed);
            let (removed_media, removed_bytes) =
                removed.fold((0, 0), |(m, b), r| (m + r.media, b + r.bytes));
            println!(
                "awaiting the sweep: {removed_media} media, {}",
                size(removed_bytes)
            );
            println!("other servers' media not copied here: {uncached}");
            println!("uploads being processed: {processing}");
            if list_store {
                let (files, bytes) = state
                    .media
                    .store
                    .usage()
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot list the store: {e}"))?;
                println!("in the store: {files} files, {}", size(bytes as i64));
            }
            Ok(())
        }
        MediaCommand::Sweep => {
            let removed = service::media::sweep(state, crate::clock::now())
                .await
                .map_err(|e| anyhow::anyhow!("the sweep failed: {e}"))?;
            println!("removed {removed} media (files and rows)");
            Ok(())
        }
        MediaCommand::PurgeRemote => {
            let (copies, bytes) = purge_remote(state)
                .await
                .map_err(|e| anyhow::anyhow!("cannot remove the cached copies: {e:#}"))?;
            println!(
                "removed {copies} cached copies of other servers' media, {}; they are fetched \
                 again when someone looks at them",
                size(bytes)
            );
            Ok(())
        }
    }
}

/// Removes every cached copy of other servers' media: each row forgets its files first (a
/// reader then fetches the medium again rather than ask for a file about to go), then the
/// files leave the store. Gives the copies removed and their main files' bytes.
async fn purge_remote(state: &AppState) -> anyhow::Result<(u64, i64)> {
    let mut after = 0;
    let (mut copies, mut bytes) = (0, 0);
    loop {
        let rows = db::media::cached_remote(state.pool(), after, PURGE_BATCH).await?;
        let Some(last) = rows.last() else {
            return Ok((copies, bytes));
        };
        after = last.id;
        for row in rows {
            let Some(file_key) = row.file_key.as_deref() else {
                continue;
            };
            if !db::media::forget_copy(state.pool(), row.id, file_key, crate::clock::now()).await? {
                continue;
            }
            for key in [Some(file_key), row.preview_key.as_deref()]
                .into_iter()
                .flatten()
            {
                state.media.store.delete(key).await?;
            }
            copies += 1;
            bytes += row.file_size;
        }
    }
}
