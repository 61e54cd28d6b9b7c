//! What software another server runs, read from its NodeInfo, to send it a group's posts in
//! the shape it reads (docs/FEDERATION.md §13): Lemmy and its kin read FEP-1b12's `Announce`
//! of an activity and refuse (400) an `Announce` of a bare note, which Mastodon needs.
//!
//! The lookup is small and bounded: two GETs of at most [`MAX_BYTES`] each, at most
//! [`MAX_LOOKUPS`] hosts per activity prepared (claimed outbox work, never per request), and
//! its answer (or its failure) is recorded for [`FRESH_FOR`], so that a host is asked at most
//! once a day whatever is sent to it.

use super::protocol::domain_of;
use crate::{clock, db, error::AppResult, state::AppState};
use serde_json::Value;
use std::{collections::HashMap, time::Duration};
use url::Url;

/// Software that reads the `Announce` of an activity (FEP-1b12) and refuses a plain
/// `Announce` of a post: Lemmy (`Announce` of a bare object is `CannotReceivePage` or a
/// parse error, 400), Mbin and kbin, PieFed, and coopol itself (it reads both; the plain one
/// would only be a second delivery).
pub const ACTIVITY_ANNOUNCE_READERS: &[&str] = &["lemmy", "mbin", "kbin", "piefed", "coopol"];

/// How long a host's answer (or its silence) is kept.
const FRESH_FOR: Duration = Duration::from_secs(24 * 3600);
/// Hosts looked up for one activity at most (the others are taken as unknown this time).
const MAX_LOOKUPS: usize = 4;
/// The largest NodeInfo document read.
const MAX_BYTES: usize = 64 * 1024;
/// How long one lookup may take.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Of these inboxes, those whose server does not read FEP-1b12's `Announce` of an activity
/// (or is not known to): the ones a plain `Announce` of a post is for. An unknown server keeps
/// it, as Mastodon (the most common) needs it.
pub async fn plain_announce_readers(
    state: &AppState,
    inboxes: Vec<String>,
) -> AppResult<Vec<String>> {
    let mut hosts: Vec<(String, Url)> = Vec::new();
    for inbox in &inboxes {
        if let Ok(url) = Url::parse(inbox) {
            let host = domain_of(&url);
            if !hosts.iter().any(|(h, _)| *h == host) {
                hosts.push((host, url));
            }
        }
    }
    let software = software(state, &hosts).await?;
    Ok(inboxes
        .into_iter()
        .filter(|inbox| {
            let name = Url::parse(inbox)
                .ok()
                .and_then(|u| software.get(&domain_of(&u)).cloned().flatten());
            !name.is_some_and(|n| ACTIVITY_ANNOUNCE_READERS.contains(&n.as_str()))
        })
        .collect())
}

/// The software of each host (`None`: unknown), from what was recorded, looking up at most
/// [`MAX_LOOKUPS`] hosts not asked recently. `hosts` pairs each host with one of its URLs (for
/// its scheme).
async fn software(
    state: &AppState,
    hosts: &[(String, Url)],
) -> AppResult<HashMap<String, Option<String>>> {
    let now = clock::now();
    let names: Vec<String> = hosts.iter().map(|(h, _)| h.clone()).collect();
    let fresh_since = now - FRESH_FOR.as_micros() as i64;
    let mut known: HashMap<String, Option<String>> =
        db::peers::software_of(state.pool(), &names, fresh_since)
            .await?
            .into_iter()
            .collect();
    let unknown: Vec<&(String, Url)> = hosts
        .iter()
        .filter(|(h, _)| !known.contains_key(h))
        .take(MAX_LOOKUPS)
        .collect();
    let answers =
        futures::future::join_all(unknown.iter().map(|(_, url)| lookup(state, url))).await;
    for ((host, _), answer) in unknown.into_iter().zip(answers) {
        db::peers::set_software(state.pool(), host, answer.as_deref(), now).await?;
        known.insert(host.clone(), answer);
    }
    Ok(known)
}

/// A server's software name (lower case), from its NodeInfo: the well-known document's link
/// to a 2.x schema, on the same host, then that document's `software.name`.
async fn lookup(state: &AppState, any_url: &Url) -> Option<String> {
    let mut well_known = any_url.clone();
    well_known.set_path("/.well-known/nodeinfo");
    well_known.set_query(None);
    well_known.set_fragment(None);
    let links = get_json(state, &well_known).await?;
    let href = links
        .get("links")?
        .as_array()?
        .iter()
        .filter(|l| {
            l.get("rel")
                .and_then(Value::as_str)
                .is_some_and(|r| r.starts_with("http://nodeinfo.diaspora.software/ns/schema/2."))
        })
        .filter_map(|l| l.get("href").and_then(Value::as_str))
        .filter_map(|h| Url::parse(h).ok())
        .find(|h| domain_of(h) == domain_of(any_url))?;
    let info = get_json(state, &href).await?;
    let name = info.get("software")?.get("name")?.as_str()?;
    let name = name.trim().to_ascii_lowercase();
    (!name.is_empty() && name.len() <= 64).then_some(name)
}

/// A small JSON document of another server, or nothing (error, too big, not JSON, not ours to
/// fetch).
async fn get_json(state: &AppState, url: &Url) -> Option<Value> {
    if !super::media::may_fetch(state, url) {
        return None;
    }
    let client = super::runtime(state).delivery.client();
    let mut response = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(TIMEOUT)
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.ok()? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            return None;
        }
    }
    serde_json::from_slice(&body).ok()
}
