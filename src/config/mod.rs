//! Configuration: a TOML file (`--config FILE`, or `coopol.toml` in the working directory when
//! present), then `COOPOL_*` environment variables, then built-in defaults. Every key is listed
//! once in [`KEYS`]; `config.example.toml` documents them all (a test keeps the two in step).
//! The result is validated once into [`Config`]; there are no globals.

mod backup;
mod mail;
mod media;
mod moderation;

pub use backup::{Backup, BackupTarget};
pub use mail::{Mail, Smtp, SmtpSecurity};
pub use media::{Media, MediaStore, S3Store};
pub use moderation::{FederationMode, Moderation, ShowDomainBlocks};

use crate::domain::{Locale, RegistrationMode};
use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, time::Duration};
use url::Url;

/// One configuration key: its name in the file, and its default as text.
pub struct Key {
    /// The name in the TOML file; the environment variable is `COOPOL_` + its upper case.
    pub name: &'static str,
    /// The default value (empty means none).
    pub default: &'static str,
}

/// Every configuration key, in the order config.example.toml documents them.
pub const KEYS: &[Key] = &[
    key("public_url", "http://localhost:8080"),
    key("listen", "127.0.0.1:8080"),
    key("data_dir", "./data"),
    key("database_url", ""),
    key("database_max_connections", "10"),
    key("instance_name", "coopol"),
    key("instance_description", ""),
    key("contact_email", ""),
    key("source_url", ""),
    key("registration_mode", "approval"),
    key("default_locale", "fr"),
    key("default_time_zone", "Europe/Paris"),
    key("session_lifetime_days", "30"),
    key("token_lifetime_days", "0"),
    key("authorized_fetch", "false"),
    key("delivery_parallel", "64"),
    key("delivery_parallel_per_host", "4"),
    key("park_hosts_after_days", "7"),
    key("home_feed_length", "800"),
    key("trusted_proxies", "127.0.0.0/8,::1"),
    key("limit_sign_ins_per_address_per_hour", "100"),
    key("limit_sign_in_attempts_per_account", "10"),
    key("limit_sign_in_window_minutes", "15"),
    key("limit_registrations_per_address_per_hour", "20"),
    key("limit_token_requests_per_address_per_hour", "300"),
    key("limit_posts_per_account_per_hour", "100"),
    key("limit_inbox_per_host_per_minute", "3000"),
    key("media_store", "directory"),
    key("media_dir", ""),
    key("s3_endpoint", ""),
    key("s3_region", ""),
    key("s3_bucket", ""),
    key("s3_access_key_id", ""),
    key("s3_secret_access_key", ""),
    key("media_max_image_mb", "16"),
    key("media_max_video_mb", "99"),
    key("media_max_document_mb", "20"),
    key("media_quota_mb", "2048"),
    key("media_unattached_hours", "24"),
    key("media_remote_cache_days", "7"),
    key("media_ffmpeg", "ffmpeg"),
    key("backup_destination", ""),
    key("backup_interval_hours", "0"),
    key("backup_keep", "7"),
    key("backup_pg_bin_dir", ""),
    key("smtp_host", ""),
    key("smtp_port", ""),
    key("smtp_security", "starttls"),
    key("smtp_username", ""),
    key("smtp_password", ""),
    key("mail_from", ""),
    key("mail_from_name", ""),
    key("mail_give_up_hours", "48"),
    key("moderation_log_retention_days", "365"),
    key("moderation_suspension_retention_days", "30"),
    key("federation_mode", "open"),
    key("show_domain_blocks", "users"),
    key("group_creation_sections", "anyone"),
    key("group_creation_others", "anyone"),
    key("log_format", "text"),
    key("log_level", "info"),
    key("metrics_token", ""),
];

const fn key(name: &'static str, default: &'static str) -> Key {
    Key { name, default }
}

/// The validated configuration of one instance.
#[derive(Debug, Clone)]
pub struct Config {
    /// The configuration file read, if any (a backup keeps a copy of it).
    pub file: Option<PathBuf>,
    /// The canonical base URL (scheme, host, optional port; no path). Every URL coopol
    /// publishes is built from it, never from a request's Host header.
    pub public_url: Url,
    /// The instance's domain as federation names it: host, plus `:port` when one is given.
    pub domain: String,
    /// The address the HTTP server binds to.
    pub listen: SocketAddr,
    /// Where the SQLite database and other files live; created when missing.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// The size of the database connection pool.
    pub database_max_connections: u32,
    /// The instance's name, shown in the interface and to apps.
    pub instance_name: String,
    /// A short description of the instance.
    pub instance_description: String,
    /// Where people can reach the administrators (may be empty).
    pub contact_email: String,
    /// Where the source code this instance runs can be had (AGPL-3.0 section 13); may be empty.
    pub source_url: String,
    /// The registration mode used until an administrator chooses one on the admin page.
    pub registration_mode: RegistrationMode,
    /// The interface language for visitors whose browser asks for none we offer.
    pub default_locale: Locale,
    /// The instance's time zone: the web interface's for visitors and for people who chose
    /// none, and the zone of events whose organizer names none.
    pub default_time_zone: chrono_tz::Tz,
    /// How long a web session lasts without use.
    pub session_lifetime: Duration,
    /// How long an OAuth access token lasts; `None` means until revoked (as on Mastodon).
    pub token_lifetime: Option<Duration>,
    /// When true, every ActivityPub GET (actors, objects, collections) must be signed by an
    /// actor that is not blocked (Mastodon's "secure mode"); the instance actor stays public.
    pub authorized_fetch: bool,
    /// How many deliveries to other servers run at once, in all.
    pub delivery_parallel: usize,
    /// How many deliveries to one server run at once.
    pub delivery_parallel_per_host: usize,
    /// After how long without a successful delivery a server is parked (no more attempts until
    /// it is heard from again).
    pub park_hosts_after: Duration,
    /// How many entries each person's home timeline keeps; older ones leave it every hour
    /// (the posts stay on their authors' pages and in their groups).
    pub home_feed_length: i64,
    /// The proxies whose `X-Forwarded-For` names the client (addresses or networks such as
    /// `10.0.0.0/8`); requests from anywhere else are keyed by their TCP peer.
    pub trusted_proxies: Vec<IpNet>,
    /// Rate limits (see [`Limits`]).
    pub limits: Limits,
    /// Media storage and limits (see [`Media`]).
    pub media: Media,
    /// Backups (see [`Backup`]).
    pub backup: Backup,
    /// E-mail (see [`Mail`]); `None` when no SMTP server is set.
    pub mail: Option<Mail>,
    /// Moderation (see [`Moderation`]).
    pub moderation: Moderation,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// A `tracing` filter, e.g. `info` or `coopol=debug,sqlx=warn`.
    pub log_level: String,
    /// The bearer token `GET /metrics` asks for; `None`: the endpoint is off (see
    /// `crate::metrics`).
    pub metrics_token: Option<MetricsToken>,
}

/// The token Prometheus sends to read `/metrics` (never printed).
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// The fewest characters a token may have.
    pub const MIN_LEN: usize = 16;

    /// The token's text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(..)")
    }
}

/// The rate limits. A count of 0 turns its limit off. Per-address and per-account limits of
/// requests live in each process's memory (`crate::limits`); sign-in attempts per account are
/// counted in the database, so that processes sharing it share the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sign-in attempts (web form and OAuth password grant) per client address, per hour.
    pub sign_ins_per_address_per_hour: u32,
    /// Sign-in attempts per e-mail address or username tried, per window; beyond it every
    /// attempt, even with the right password, is refused until the window ends.
    pub sign_in_attempts_per_account: u32,
    /// The window of `sign_in_attempts_per_account`.
    pub sign_in_window: Duration,
    /// Registrations (web sign-up and `POST /api/v1/accounts`) per client address, per hour.
    pub registrations_per_address_per_hour: u32,
    /// Requests to `POST /oauth/token` per client address, per hour.
    pub token_requests_per_address_per_hour: u32,
    /// Posts (API and web composer) per account, per hour.
    pub posts_per_account_per_hour: u32,
    /// Requests to the inboxes per remote host (of the signature's key), per minute.
    pub inbox_per_host_per_minute: u32,
}

/// An address or a network of addresses (`192.0.2.1`, `10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses an address or `address/prefix`.
    pub fn parse(text: &str) -> Option<IpNet> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a.parse().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (text.parse().ok()?, None),
        };
        let max = match addr {
            std::net::IpAddr::V4(_) => 32,
            std::net::IpAddr::V6(_) => 128,
        };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpNet { addr, prefix })
    }

    /// Whether `ip` is in this network (an IPv4 address written as IPv6 counts as IPv4).
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let ip = ip.to_canonical();
        match (self.addr, ip) {
            (std::net::IpAddr::V4(net), std::net::IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (std::net::IpAddr::V6(net), std::net::IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

/// A configuration value that cannot be used. Its message names the key and where the value
/// came from, on one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
        }
    }
}

/// Where a raw value came from, for error messages.
#[derive(Debug, Clone)]
enum Source {
    Default,
    File(PathBuf),
    Env(String),
}

struct RawValue {
    text: String,
    source: Source,
}

/// The environment variable that sets `key`.
pub fn env_name(key: &str) -> String {
    format!("COOPOL_{}", key.to_ascii_uppercase())
}

impl Config {
    /// Loads the configuration as `coopol` does: the given file (which must exist), or
    /// `coopol.toml` in the working directory when present, then the process environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Config, ConfigError> {
        let (path, contents) = match file {
            Some(path) => {
                let contents = std::fs::read_to_string(path).map_err(|e| {
                    ConfigError::new(format!(
                        "cannot read the configuration file {}: {e}",
                        path.display()
                    ))
                })?;
                (Some(path.to_path_buf()), Some(contents))
            }
            None => {
                let path = PathBuf::from("coopol.toml");
                match std::fs::read_to_string(&path) {
                    Ok(contents) => (Some(path), Some(contents)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, None),
                    Err(e) => {
                        return Err(ConfigError::new(format!(
                            "cannot read the configuration file coopol.toml: {e}"
                        )));
                    }
                }
            }
        };
        let file = match (&path, &contents) {
            (Some(p), Some(c)) => Some((p.as_path(), c.as_str())),
            _ => None,
        };
        Config::from_sources(file, |name| std::env::var(name).ok())
    }

    /// Builds a configuration from an optional file (path, contents) and an environment lookup.
    pub fn from_sources(
        file: Option<(&std::path::Path, &str)>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut raw: BTreeMap<&'static str, RawValue> = KEYS
            .iter()
            .map(|k| {
                let value = RawValue {
                    text: k.default.to_string(),
                    source: Source::Default,
                };
                (k.name, value)
            })
            .collect();

        if let Some((path, contents)) = file {
            let table: toml::Table = contents.parse().map_err(|e: toml::de::Error| {
                let msg = e.message().replace('\n', " ");
                let line = e
                    .span()
                    .map(|s| contents[..s.start].lines().count().max(1))
                    .map(|l| format!(" (line {l})"))
                    .unwrap_or_default();
                ConfigError::new(format!("{} is not valid TOML{line}: {msg}", path.display()))
            })?;
            for (name, value) in table {
                let key = KEYS.iter().find(|k| k.name == name).ok_or_else(|| {
                    ConfigError::new(format!(
                        "{}: unknown key `{name}` (config.example.toml lists every key)",
                        path.display()
                    ))
                })?;
                let text = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    other => {
                        return Err(ConfigError::new(format!(
                            "{}: key `{name}` must be a string or a number, not a {}",
                            path.display(),
                            other.type_str()
                        )));
                    }
                };
                let value = RawValue {
                    text,
                    source: Source::File(path.to_path_buf()),
                };
                raw.insert(key.name, value);
            }
        }

        for key in KEYS {
            let var = env_name(key.name);
            if let Some(text) = env(&var) {
                raw.insert(
                    key.name,
                    RawValue {
                        text,
                        source: Source::Env(var),
                    },
                );
            }
        }

        let mut config = Config::validate(&raw)?;
        config.file = file.map(|(path, _)| path.to_path_buf());
        Ok(config)
    }

    fn validate(raw: &BTreeMap<&'static str, RawValue>) -> Result<Config, ConfigError> {
        let get = |name: &str| -> &RawValue {
            // Every key has a default entry, so the lookup cannot miss.
            &raw[name]
        };
        let fail = |name: &str, why: String| -> ConfigError {
            let value = get(name);
            let origin = match &value.source {
                Source::Default => "default".to_string(),
                Source::File(p) => format!("from {}", p.display()),
                Source::Env(v) => format!("from {v}"),
            };
            ConfigError::new(format!(
                "invalid value for `{name}` ({origin}): {why} (got {:?})",
                value.text
            ))
        };

        let public_url =
            parse_public_url(&get("public_url").text).map_err(|why| fail("public_url", why))?;
        let domain = match public_url.port() {
            Some(port) => format!("{}:{port}", public_url.host_str().unwrap_or_default()),
            None => public_url.host_str().unwrap_or_default().to_string(),
        };

        let listen: SocketAddr = get("listen").text.trim().parse().map_err(|_| {
            fail(
                "listen",
                "expected an address and port such as 127.0.0.1:8080 or [::]:8080".into(),
            )
        })?;

        let data_dir_text = get("data_dir").text.trim().to_string();
        if data_dir_text.is_empty() {
            return Err(fail("data_dir", "must not be empty".into()));
        }
        let data_dir = PathBuf::from(&data_dir_text);

        let database_url = match get("database_url").text.trim() {
            "" => format!("sqlite://{}?mode=rwc", data_dir.join("coopol.db").display()),
            url if url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://") =>
            {
                url.to_string()
            }
            _ => {
                return Err(fail(
                    "database_url",
                    "expected sqlite://PATH or postgres://USER@HOST/DATABASE".into(),
                ));
            }
        };

        let database_max_connections = parse_number(&get("database_max_connections").text, 1, 1000)
            .map_err(|why| fail("database_max_connections", why))?
            as u32;

        let instance_name = get("instance_name").text.trim().to_string();
        if instance_name.is_empty() || instance_name.chars().count() > 100 {
            return Err(fail("instance_name", "must be 1 to 100 characters".into()));
        }
        let instance_description = get("instance_description").text.trim().to_string();
        let contact_email = get("contact_email").text.trim().to_string();
        if !contact_email.is_empty() && crate::domain::Email::parse(&contact_email).is_err() {
            return Err(fail("contact_email", "not an e-mail address".into()));
        }

        let source_url = get("source_url").text.trim().to_string();
        if !source_url.is_empty()
            && !Url::parse(&source_url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(fail("source_url", "expected an http(s) URL".into()));
        }

        let registration_mode =
            RegistrationMode::parse(&get("registration_mode").text).map_err(|_| {
                fail(
                    "registration_mode",
                    "expected open, approval, invite or closed".into(),
                )
            })?;
        let default_locale = Locale::parse(&get("default_locale").text)
            .map_err(|_| fail("default_locale", "expected fr or en".into()))?;
        let default_time_zone: chrono_tz::Tz =
            get("default_time_zone").text.trim().parse().map_err(|_| {
                fail(
                    "default_time_zone",
                    "expected an IANA time zone such as Europe/Paris".into(),
                )
            })?;

        let session_days = parse_number(&get("session_lifetime_days").text, 1, 3650)
            .map_err(|why| fail("session_lifetime_days", why))?;
        let token_days = parse_number(&get("token_lifetime_days").text, 0, 36500)
            .map_err(|why| fail("token_lifetime_days", why))?;
        const DAY: u64 = 24 * 3600;

        let authorized_fetch = match get("authorized_fetch").text.trim() {
            "true" => true,
            "false" => false,
            _ => return Err(fail("authorized_fetch", "expected true or false".into())),
        };
        let delivery_parallel = parse_number(&get("delivery_parallel").text, 1, 10_000)
            .map_err(|why| fail("delivery_parallel", why))?
            as usize;
        let delivery_parallel_per_host =
            parse_number(&get("delivery_parallel_per_host").text, 1, 1_000)
                .map_err(|why| fail("delivery_parallel_per_host", why))? as usize;
        let park_days = parse_number(&get("park_hosts_after_days").text, 1, 365)
            .map_err(|why| fail("park_hosts_after_days", why))?;
        let home_feed_length = parse_number(&get("home_feed_length").text, 40, 1_000_000)
            .map_err(|why| fail("home_feed_length", why))? as i64;

        let mut trusted_proxies = Vec::new();
        for item in get("trusted_proxies")
            .text
            .split(',')
            .filter(|s| !s.trim().is_empty())
        {
            let net = IpNet::parse(item).ok_or_else(|| {
                fail(
                    "trusted_proxies",
                    "expected addresses or networks separated by commas, such as 127.0.0.1,10.0.0.0/8,::1"
                        .into(),
                )
            })?;
            trusted_proxies.push(net);
        }
        let limit = |name: &str, max: u64| -> Result<u32, ConfigError> {
            parse_number(&get(name).text, 0, max)
                .map(|n| n as u32)
                .map_err(|why| fail(name, format!("{why} (0 turns the limit off)")))
        };
        let limits = Limits {
            sign_ins_per_address_per_hour: limit("limit_sign_ins_per_address_per_hour", 1_000_000)?,
            sign_in_attempts_per_account: limit("limit_sign_in_attempts_per_account", 1_000_000)?,
            sign_in_window: Duration::from_secs(
                60 * parse_number(&get("limit_sign_in_window_minutes").text, 1, 10_080)
                    .map_err(|why| fail("limit_sign_in_window_minutes", why))?,
            ),
            registrations_per_address_per_hour: limit(
                "limit_registrations_per_address_per_hour",
                1_000_000,
            )?,
            token_requests_per_address_per_hour: limit(
                "limit_token_requests_per_address_per_hour",
                1_000_000,
            )?,
            posts_per_account_per_hour: limit("limit_posts_per_account_per_hour", 1_000_000)?,
            inbox_per_host_per_minute: limit("limit_inbox_per_host_per_minute", 10_000_000)?,
        };

        let media = media::parse(&data_dir, &|name| get(name).text.clone(), &|name, why| {
            fail(name, why)
        })?;

        let backup = backup::parse(&data_dir, &|name| get(name).text.clone(), &|name, why| {
            fail(name, why)
        })?;

        let mail = mail::parse(
            public_url.host_str().unwrap_or_default(),
            &instance_name,
            &|name| get(name).text.clone(),
            &|name, why| fail(name, why),
        )?;

        let moderation =
            moderation::parse(&|name| get(name).text.clone(), &|name, why| fail(name, why))?;

        let log_format = match get("log_format").text.trim() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => return Err(fail("log_format", "expected text or json".into())),
        };
        let log_level = get("log_level").text.trim().to_string();
        if tracing_subscriber::EnvFilter::try_new(&log_level).is_err() {
            return Err(fail(
                "log_level",
                "expected a level (error, warn, info, debug, trace) or a filter like coopol=debug"
                    .into(),
            ));
        }

        let metrics_token = match get("metrics_token").text.trim() {
            "" => None,
            token
                if token.len() >= MetricsToken::MIN_LEN
                    && token.chars().all(|c| c.is_ascii_graphic()) =>
            {
                Some(MetricsToken(token.to_string()))
            }
            _ => {
                // The value is a secret: the message does not repeat it.
                return Err(ConfigError::new(format!(
                    "invalid value for `metrics_token`: expected at least {} printable ASCII \
                     characters without spaces (e.g. `openssl rand -hex 32`)",
                    MetricsToken::MIN_LEN
                )));
            }
        };

        Ok(Config {
            file: None,
            public_url,
            domain,
            listen,
            data_dir,
            database_url,
            database_max_connections,
            instance_name,
            instance_description,
            contact_email,
            source_url,
            registration_mode,
            default_locale,
            default_time_zone,
            session_lifetime: Duration::from_secs(session_days * DAY),
            token_lifetime: (token_days > 0).then(|| Duration::from_secs(token_days * DAY)),
            authorized_fetch,
            delivery_parallel,
            delivery_parallel_per_host,
            park_hosts_after: Duration::from_secs(park_days * DAY),
            home_feed_length,
            trusted_proxies,
            limits,
            media,
            backup,
            mail,
            moderation,
            log_format,
            log_level,
            metrics_token,
        })
    }

    /// Whether the instance is served over HTTPS (cookies are then marked `Secure`).
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// Whether a URL is on this instance (same scheme, host and port as `public_url`): such
    /// an id names something of ours, which no other server may describe or vouch for.
    pub fn is_local_url(&self, url: &url::Url) -> bool {
        crate::domain::same_origin(url, &self.public_url)
    }

    /// An absolute URL on this instance for `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }

    /// A configuration for tests and tools: defaults, with the given public URL and database.
    /// The limits kept in memory are raised far above what a test does (they stay on, so
    /// their code runs); the per-account sign-in limit keeps its default. Tests of the limits
    /// set their own values.
    pub fn for_tests(public_url: &str, database_url: &str, data_dir: PathBuf) -> Config {
        let env = |name: &str| match name {
            "COOPOL_PUBLIC_URL" => Some(public_url.to_string()),
            "COOPOL_DATABASE_URL" => Some(database_url.to_string()),
            "COOPOL_DATA_DIR" => Some(data_dir.display().to_string()),
            "COOPOL_LIMIT_SIGN_INS_PER_ADDRESS_PER_HOUR"
            | "COOPOL_LIMIT_REGISTRATIONS_PER_ADDRESS_PER_HOUR"
            | "COOPOL_LIMIT_TOKEN_REQUESTS_PER_ADDRESS_PER_HOUR"
            | "COOPOL_LIMIT_POSTS_PER_ACCOUNT_PER_HOUR" => Some("1000000".to_string()),
            "COOPOL_LIMIT_INBOX_PER_HOST_PER_MINUTE" => Some("10000000".to_string()),
            _ => None,
        };
        match Config::from_sources(None, env) {
            Ok(config) => config,
            Err(e) => panic!("test configuration refused: {e}"),
        }
    }
}

fn parse_number(text: &str, min: u64, max: u64) -> Result<u64, String> {
    let n: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a whole number from {min} to {max}"))?;
    if n < min || n > max {
        return Err(format!("expected a whole number from {min} to {max}"));
    }
    Ok(n)
}

fn parse_public_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the scheme must be http or https".into());
    }
    match url.host() {
        Some(url::Host::Domain(_)) => {}
        Some(_) => {
            return Err(
                "the host must be a domain name, not an IP address (use localhost for tests)"
                    .into(),
            );
        }
        None => return Err("the URL has no host".into()),
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err("the URL must not have a path, query or fragment".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL must not contain a user name or password".into());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn defaults_describe_a_local_instance() {
        let c = Config::from_sources(None, env_of(&[])).unwrap();
        assert_eq!(c.public_url.as_str(), "http://localhost:8080/");
        assert_eq!(c.domain, "localhost:8080");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite://./data/coopol.db?mode=rwc");
        assert_eq!(c.registration_mode, RegistrationMode::Approval);
        assert_eq!(c.token_lifetime, None);
        assert_eq!(
            c.url("/api/v1/instance"),
            "http://localhost:8080/api/v1/instance"
        );
    }

    #[test]
    fn environment_overrides_file() {
        let file = "public_url = \"https://ps-lille.example\"\nlisten = \"0.0.0.0:9000\"\n";
        let c = Config::from_sources(
            Some((Path::new("coopol.toml"), file)),
            env_of(&[("COOPOL_LISTEN", "127.0.0.1:7000")]),
        )
        .unwrap();
        assert_eq!(c.domain, "ps-lille.example");
        assert!(c.is_https());
        assert_eq!(c.listen.to_string(), "127.0.0.1:7000");
    }

    #[test]
    fn errors_name_the_key_on_one_line() {
        let cases = [
            ("COOPOL_PUBLIC_URL", "ftp://x.example", "public_url"),
            ("COOPOL_PUBLIC_URL", "http://127.0.0.1:8080", "public_url"),
            ("COOPOL_PUBLIC_URL", "https://x.example/sub", "public_url"),
            ("COOPOL_LISTEN", "localhost", "listen"),
            ("COOPOL_DATABASE_URL", "mysql://x", "database_url"),
            (
                "COOPOL_DATABASE_MAX_CONNECTIONS",
                "0",
                "database_max_connections",
            ),
            ("COOPOL_REGISTRATION_MODE", "everyone", "registration_mode"),
            ("COOPOL_LOG_FORMAT", "xml", "log_format"),
            ("COOPOL_AUTHORIZED_FETCH", "yes", "authorized_fetch"),
            ("COOPOL_DELIVERY_PARALLEL", "0", "delivery_parallel"),
            ("COOPOL_HOME_FEED_LENGTH", "10", "home_feed_length"),
            ("COOPOL_DEFAULT_LOCALE", "de", "default_locale"),
            (
                "COOPOL_DEFAULT_TIME_ZONE",
                "Mars/Olympus",
                "default_time_zone",
            ),
            ("COOPOL_TRUSTED_PROXIES", "localhost", "trusted_proxies"),
            ("COOPOL_TRUSTED_PROXIES", "10.0.0.0/33", "trusted_proxies"),
            (
                "COOPOL_LIMIT_POSTS_PER_ACCOUNT_PER_HOUR",
                "-1",
                "limit_posts_per_account_per_hour",
            ),
            (
                "COOPOL_LIMIT_SIGN_IN_WINDOW_MINUTES",
                "0",
                "limit_sign_in_window_minutes",
            ),
            ("COOPOL_SMTP_SECURITY", "ssl", "smtp_security"),
            ("COOPOL_SMTP_PORT", "70000", "smtp_port"),
            ("COOPOL_MAIL_GIVE_UP_HOURS", "0", "mail_give_up_hours"),
            ("COOPOL_BACKUP_KEEP", "0", "backup_keep"),
            (
                "COOPOL_BACKUP_DESTINATION",
                "s3://saves/coopol",
                "backup_destination",
            ),
        ];
        for (var, value, key) in cases {
            let err = Config::from_sources(None, env_of(&[(var, value)])).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(&format!("`{key}`")), "{msg}");
            assert!(msg.contains(var), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
        }
    }

    #[test]
    fn mail_is_off_without_a_host_and_checked_with_one() {
        let off = Config::from_sources(None, env_of(&[])).unwrap();
        assert!(off.mail.is_none());
        let on = Config::from_sources(
            None,
            env_of(&[
                ("COOPOL_PUBLIC_URL", "https://ps-lille.example"),
                ("COOPOL_SMTP_HOST", "smtp.example.org"),
                ("COOPOL_SMTP_SECURITY", "tls"),
                ("COOPOL_SMTP_PASSWORD", "s3cret"),
            ]),
        )
        .unwrap();
        let mail = on.mail.unwrap();
        assert_eq!(mail.smtp.port, 465);
        assert_eq!(mail.smtp.security, SmtpSecurity::Tls);
        assert_eq!(mail.from_address, "noreply@ps-lille.example");
        assert_eq!(mail.from_name, "coopol");
        assert!(!format!("{mail:?}").contains("s3cret"));
        for (var, value, key) in [
            ("COOPOL_MAIL_FROM", "not an address", "mail_from"),
            (
                "COOPOL_MAIL_FROM_NAME",
                "Eve\r\nBcc: x@y.example",
                "mail_from_name",
            ),
            ("COOPOL_SMTP_HOST", "smtp example", "smtp_host"),
        ] {
            let mut pairs = vec![("COOPOL_SMTP_HOST", "smtp.example.org")];
            pairs.retain(|(k, _)| *k != var);
            pairs.push((var, value));
            let err = Config::from_sources(None, env_of(&pairs)).unwrap_err();
            assert!(err.to_string().contains(&format!("`{key}`")), "{err}");
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let c = Config::from_sources(None, env_of(&[])).unwrap();
        let trusted = |ip: &str| {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            c.trusted_proxies.iter().any(|n| n.contains(ip))
        };
        assert!(trusted("127.0.0.1") && trusted("127.8.9.10") && trusted("::1"));
        assert!(trusted("::ffff:127.0.0.1"));
        assert!(!trusted("192.0.2.1") && !trusted("::2"));
        let c = Config::from_sources(
            None,
            env_of(&[("COOPOL_TRUSTED_PROXIES", "10.1.0.0/16, fd00::/8")]),
        )
        .unwrap();
        let net = &c.trusted_proxies;
        assert!(net[0].contains("10.1.200.3".parse().unwrap()));
        assert!(!net[0].contains("10.2.0.1".parse().unwrap()));
        assert!(net[1].contains("fd12::1".parse().unwrap()));
        let none = Config::from_sources(None, env_of(&[("COOPOL_TRUSTED_PROXIES", "")])).unwrap();
        assert!(none.trusted_proxies.is_empty());
        assert_eq!(
            Config::from_sources(
                None,
                env_of(&[("COOPOL_LIMIT_POSTS_PER_ACCOUNT_PER_HOUR", "0")])
            )
            .unwrap()
            .limits
            .posts_per_account_per_hour,
            0
        );
    }

    #[test]
    fn file_errors_are_clear() {
        let path = Path::new("c.toml");
        let unknown = Config::from_sources(Some((path, "publik_url = \"x\"")), env_of(&[]));
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .contains("unknown key `publik_url`")
        );
        let broken = Config::from_sources(Some((path, "listen = \n")), env_of(&[]));
        let msg = broken.unwrap_err().to_string();
        assert!(
            msg.contains("not valid TOML") && !msg.contains('\n'),
            "{msg}"
        );
        let typed = Config::from_sources(Some((path, "listen = [1]")), env_of(&[]));
        assert!(typed.unwrap_err().to_string().contains("`listen`"));
    }

    #[test]
    fn metrics_token_is_off_by_default_and_never_repeated() {
        let off = Config::from_sources(None, env_of(&[])).unwrap();
        assert!(off.metrics_token.is_none());
        let short = Config::from_sources(None, env_of(&[("COOPOL_METRICS_TOKEN", "s3cret")]));
        let message = short.unwrap_err().to_string();
        assert!(message.contains("`metrics_token`"), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
        let token = "0123456789abcdef0123";
        let on = Config::from_sources(None, env_of(&[("COOPOL_METRICS_TOKEN", token)])).unwrap();
        assert_eq!(on.metrics_token.as_ref().map(|t| t.expose()), Some(token));
        assert!(!format!("{on:?}").contains(token));
    }

    #[test]
    fn example_file_documents_every_key_with_its_default() {
        let example = include_str!("../../config.example.toml");
        for key in KEYS {
            let line = format!("# {} = ", key.name);
            let found = example.lines().find(|l| l.starts_with(&line));
            let Some(found) = found else {
                panic!("config.example.toml does not document `{}`", key.name);
            };
            let value = found[line.len()..].trim().trim_matches('"');
            assert_eq!(value, key.default, "default of `{}`", key.name);
            assert!(example.contains(&env_name(key.name)), "{}", key.name);
        }
        // The example, uncommented, is itself a valid configuration.
        let uncommented: String = example
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| {
                KEYS.iter()
                    .any(|k| l.starts_with(&format!("{} = ", k.name)))
            })
            .collect::<Vec<_>>()
            .join("\n");
        Config::from_sources(Some((Path::new("x.toml"), &uncommented)), env_of(&[])).unwrap();
    }
}
