//! The command line: `coopol serve`, `coopol migrate`, `coopol user create|list`.
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
    Migrate,
    /// Manage local accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Count every profile's numbers (followers, following, posts) and every post's answers,
    /// boosts and likes again from the stored rows, then exit. The database keeps them up to
    /// date by itself; this repairs numbers that drifted, e.g. after rows were edited by hand.
    Recount,
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
        Command::Migrate => {
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
        Command::User(cmd) => {
            init_logging(&config, "warn");
            let db = app::open_database(&config).await?;
            let state = AppState::new(config, db).map_err(anyhow::Error::from)?;
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
