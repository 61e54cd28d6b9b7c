//! coopol: a federated organizing network for political movements.
//!
//! The crate map (docs/ARCHITECTURE.md tells the whole story):
//!
//! - [`config`]: the configuration file and `COOPOL_*` variables, validated once.
//! - [`cli`]: the `coopol` command line (`serve`, `migrate`, `user ...`).
//! - [`doctor`]: `coopol doctor`, the instance's health in one line per check.
//! - [`app`]: wiring: routers, layers, the server's life cycle. The only place modules meet.
//! - [`state`]: what handlers share (database, configuration).
//! - [`api`]: the Mastodon client API (JSON).
//! - [`web`]: the server-rendered interface (HTML, French and English).
//! - [`federation`]: ActivityPub in and out (the only user of `activitypub_federation`).
//! - [`service`]: use cases; knows nothing of HTTP, HTML or JSON.
//! - [`db`]: SQL through sqlx `Any`, one code path for SQLite and PostgreSQL.
//! - [`domain`]: pure types and rules (usernames, scopes, languages...), no I/O.
//! - [`error`]: the error every request can end with.
//! - [`i18n`]: translations (Fluent).
//! - [`crypto`], [`clock`]: secrets and time, done one way everywhere.
//! - [`limits`]: rate limits per client address, account and remote server.
//! - [`mail`]: e-mail messages rendered from templates, and the SMTP client (no database).
//!
//! Data flows one way: `api`/`web` -> `service` -> `db`; everything may use `domain`.

// The JSON-LD context (`federation::protocol::context`) is one big `json!` literal.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod doctor;
pub mod domain;
pub mod download;
pub mod error;
pub mod federation;
pub mod i18n;
pub mod ids;
pub mod limits;
pub mod mail;
pub mod media;
pub mod metrics;
pub mod service;
pub mod state;
pub mod upload;
pub mod web;
