//! A real `coopol serve` process driven by the benchmark: started on loopback with its own data
//! folder and database, measured through /proc, stopped or killed.

use anyhow::{Context, Result, bail};
use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Entries each home timeline keeps (coopol's `home_feed_length`, here its default, set
/// explicitly): the timeline scenario seeds feeds as a running server holds them.
pub const HOME_FEED_LENGTH: i64 = 800;

/// Where the benchmark's databases live.
#[derive(Clone, Debug)]
pub enum Backend {
    /// A SQLite file in the run's folder.
    Sqlite,
    /// A fresh database on this PostgreSQL server (an admin URL); dropped afterwards.
    Postgres(String),
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// A database made for one scenario.
pub struct Database {
    /// Its URL.
    pub url: String,
    drop_with: Option<(String, String)>,
}

impl Database {
    /// Makes an empty database.
    pub async fn create(backend: &Backend, dir: &Path) -> Result<Database> {
        sqlx::any::install_default_drivers();
        match backend {
            Backend::Sqlite => Ok(Database {
                url: format!("sqlite://{}/coopol.db?mode=rwc", dir.display()),
                drop_with: None,
            }),
            Backend::Postgres(server) => {
                let name = format!(
                    "coopol_bench_{}",
                    coopol::crypto::random_code(8).to_lowercase()
                );
                let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(server).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await?;
                let mut url = url::Url::parse(server)?;
                url.set_path(&name);
                Ok(Database {
                    url: url.to_string(),
                    drop_with: Some((server.clone(), name)),
                })
            }
        }
    }

    /// Drops a PostgreSQL database (a SQLite file goes with its folder). With
    /// `COOPOL_BENCH_KEEP=1` it is kept, for looking into (its name is printed).
    pub async fn drop(self) -> Result<()> {
        if std::env::var("COOPOL_BENCH_KEEP").is_ok_and(|v| v == "1") {
            eprintln!("kept database {}", self.url);
            return Ok(());
        }
        if let Some((server, name)) = self.drop_with {
            let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await?;
        }
        Ok(())
    }
}

/// A running `coopol serve`.
pub struct Coopol {
    bin: PathBuf,
    dir: PathBuf,
    database: String,
    /// Its port on 127.0.0.1 (and public URL `http://localhost:PORT`).
    pub port: u16,
    child: Option<Child>,
    /// More configuration variables (e.g. an S3 media store).
    pub env: Vec<(String, String)>,
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Coopol {
    /// Prepares (does not start) an instance.
    pub fn new(bin: &Path, dir: &Path, database: &str) -> Coopol {
        Coopol {
            bin: bin.to_path_buf(),
            dir: dir.to_path_buf(),
            database: database.to_string(),
            port: free_port(),
            child: None,
            env: Vec::new(),
        }
    }

    /// `http://localhost:PORT`.
    pub fn base(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args)
            .current_dir(&self.dir)
            .env("COOPOL_DATA_DIR", &self.dir)
            .env("COOPOL_DATABASE_URL", &self.database)
            .env("COOPOL_PUBLIC_URL", self.base())
            .env("COOPOL_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("COOPOL_LOG_LEVEL", "warn")
            .env("COOPOL_HOME_FEED_LENGTH", HOME_FEED_LENGTH.to_string())
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Applies migrations (so the benchmark can seed the database before starting).
    pub fn migrate(&self) -> Result<()> {
        let status = self.command(&["migrate"]).stdout(Stdio::null()).status()?;
        if !status.success() {
            bail!("coopol migrate failed");
        }
        Ok(())
    }

    /// Creates a local account `name` with e-mail `name@bench.example` and `password`.
    pub fn create_user(&self, name: &str, password: &str) -> Result<()> {
        let email = format!("{name}@bench.example");
        let mut child = self
            .command(&[
                "user",
                "create",
                name,
                "--email",
                &email,
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        child
            .stdin
            .take()
            .context("stdin")?
            .write_all(format!("{password}\n").as_bytes())?;
        if !child.wait()?.success() {
            bail!("coopol user create {name} failed");
        }
        Ok(())
    }

    /// Starts serving and waits until /health answers.
    pub async fn start(&mut self) -> Result<()> {
        let log = std::fs::File::create(self.dir.join("coopol.log"))?;
        let child = self
            .command(&["serve"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        self.child = Some(child);
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{}/health", self.base())).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            if let Some(c) = self.child.as_mut()
                && let Some(status) = c.try_wait()?
            {
                bail!(
                    "coopol exited at start ({status}); see {}/coopol.log",
                    self.dir.display()
                );
            }
            if Instant::now() > deadline {
                bail!("coopol did not start within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Resident memory now and at its peak, in KiB (from /proc/PID/status).
    pub fn memory(&self) -> Option<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// SIGKILL: no clean-up at all.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait (a graceful stop).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
    }

    /// An access token for `name` (password grant), with read and write scopes.
    pub async fn token(
        &self,
        client: &reqwest::Client,
        name: &str,
        password: &str,
    ) -> Result<String> {
        let app: serde_json::Value = client
            .post(format!("{}/api/v1/apps", self.base()))
            .form(&[
                ("client_name", "coopol-bench"),
                ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
                ("scopes", "read write follow"),
            ])
            .send()
            .await?
            .json()
            .await?;
        let email = format!("{name}@bench.example");
        let token: serde_json::Value = client
            .post(format!("{}/oauth/token", self.base()))
            .form(&[
                ("grant_type", "password"),
                ("client_id", app["client_id"].as_str().unwrap_or_default()),
                (
                    "client_secret",
                    app["client_secret"].as_str().unwrap_or_default(),
                ),
                ("username", email.as_str()),
                ("password", password),
                ("scope", "read write follow"),
            ])
            .send()
            .await?
            .json()
            .await?;
        token["access_token"]
            .as_str()
            .map(str::to_string)
            .context("no access token")
    }
}

impl Drop for Coopol {
    fn drop(&mut self) {
        self.kill9();
    }
}
