//! The affiliation chain beyond one hop (docs/decisions/0032, docs/FEDERATION.md "A section's
//! members on a third server"): a federation F of this server, a section S on server B whose
//! affiliation F approved, a member M of S whose account is on server C.
//!
//! - B passes F's members-only posts on to S's members, so C fetches the post from here
//!   signing as its instance actor. C hosts no member of F, so the direct check of rule T7
//!   fails; [`member_of_a_section`] then asks the servers of F's approved sections, and only
//!   them, whether C hosts a member of their section. The question is a signed GET of the
//!   section's `member_domain` (its own address plus `/member_domain?domain=C`), answered by
//!   [`answer`] with a yes or a no for that one domain: never a member list.
//! - C places the post in S's members circle only when F's own server lists S among the
//!   sections F vouches for ([`passes_on`]): a group merely claiming an affiliation places
//!   nothing.
//!
//! Answers are kept a short while in this process's memory ([`Chain`]: bounded, a yes longer
//! than a no), at most [`MOST_ASKED`] sections are asked per fetch, each for at most
//! [`ASK_TIMEOUT`], and the questions one requesting domain causes are rate-limited, so that
//! a server fetching our members-only posts cannot make us send requests at will.

use super::objects::ApAccount;
use crate::{
    db::{self, accounts::AccountRow, statuses::StatusRow},
    domain::{Circle, Visibility},
    error::AppResult,
    limits::Keyed,
    service::groups::Group,
    state::AppState,
};
use activitypub_federation::fetch::{fetch_object_http, object_id::ObjectId};
use serde_json::Value;
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};
use url::Url;

/// The most approved sections on other servers read for one fetch (the cache is looked at
/// for all of them; only [`MOST_ASKED`] unknown ones are asked).
const MOST_SECTIONS: i64 = 500;
/// The most sections asked for one fetch: the others are asked on a later fetch, once the
/// answers of these are known.
pub const MOST_ASKED: usize = 16;
/// How long one section's server has to answer (the questions run at once).
pub const ASK_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a yes is kept.
pub const YES_FOR: Duration = Duration::from_secs(600);
/// How long a no (or no answer) is kept: shorter, so that a new member's server is let in
/// soon.
pub const NO_FOR: Duration = Duration::from_secs(60);
/// The most answers kept (all are dropped when full).
const MOST_ANSWERS: usize = 10_000;
/// The most questions one requesting domain causes in a minute.
const QUESTIONS_PER_MINUTE: u32 = 60;
/// The longest domain asked about (a DNS name, a port).
const MAX_DOMAIN: usize = 262;

/// What this process remembers of the chain: the sections' answers, and the questions each
/// requesting domain caused.
pub struct Chain {
    answers: Mutex<HashMap<(i64, String), (Instant, bool)>>,
    questions: Keyed<String>,
}

impl Default for Chain {
    fn default() -> Self {
        Chain {
            answers: Mutex::new(HashMap::new()),
            questions: Keyed::new(QUESTIONS_PER_MINUTE, Duration::from_secs(60)),
        }
    }
}

impl Chain {
    /// What section `section` last answered about `domain`, while it holds.
    fn cached(&self, section: i64, domain: &str) -> Option<bool> {
        let answers = self.answers.lock().ok()?;
        let (at, member) = answers.get(&(section, domain.to_string()))?;
        let ttl = if *member { YES_FOR } else { NO_FOR };
        (at.elapsed() < ttl).then_some(*member)
    }

    fn remember(&self, section: i64, domain: &str, member: bool) {
        if let Ok(mut answers) = self.answers.lock() {
            if answers.len() >= MOST_ANSWERS {
                answers.clear();
            }
            answers.insert((section, domain.to_string()), (Instant::now(), member));
        }
    }

    /// Forgets the requesting domains whose budget is whole again (called every minute).
    pub fn forget_idle(&self) {
        self.questions.forget_idle();
    }
}

/// Server A: whether `domain` hosts an approved section of the local group `group_id`, or a
/// member of one, as that section's own server says. Called by rule T7's check when `domain`
/// hosts no member of the group itself, for a post in the group's members circle.
pub(super) async fn member_of_a_section(
    state: &AppState,
    group_id: i64,
    domain: &str,
) -> AppResult<bool> {
    // A section's server receives the group's members-only posts anyway (rule T11).
    if db::groups::domain_has_affiliated_section(state.pool(), group_id, domain).await? {
        return Ok(true);
    }
    let chain = &super::runtime(state).chain;
    let mut unknown = Vec::new();
    for (id, uri) in
        db::groups::remote_affiliated_sections(state.pool(), group_id, MOST_SECTIONS).await?
    {
        match chain.cached(id, domain) {
            Some(true) => return Ok(true),
            Some(false) => {}
            None => unknown.push((id, uri)),
        }
    }
    let key = domain.to_string();
    let asked: Vec<(i64, String)> = unknown
        .into_iter()
        .take(MOST_ASKED)
        .take_while(|_| chain.questions.check(&key).is_ok())
        .collect();
    let answers =
        futures::future::join_all(asked.iter().map(|(_, uri)| ask(state, uri, domain))).await;
    let mut member = false;
    for ((id, _), answer) in asked.iter().zip(answers) {
        chain.remember(*id, domain, answer);
        member |= answer;
    }
    Ok(member)
}

/// The address of a section's `member_domain` question about `domain`: under the section's
/// own id, so only its own server is asked.
fn question_url(section: &str, domain: &str) -> Option<Url> {
    let mut url = Url::parse(&format!("{}/member_domain", section.trim_end_matches('/'))).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.query().is_some() {
        return None;
    }
    url.query_pairs_mut().append_pair("domain", domain);
    Some(url)
}

/// Asks a section's server whether `domain` hosts one of its members (signed as our instance
/// actor). No answer, a late one or another document is a no.
async fn ask(state: &AppState, section: &str, domain: &str) -> bool {
    let Some(url) = question_url(section, domain) else {
        return false;
    };
    if state.config.is_local_url(&url) {
        return false;
    }
    let data = super::data(state);
    match tokio::time::timeout(ASK_TIMEOUT, fetch_object_http::<_, Value>(&url, &data)).await {
        Ok(Ok(answer)) => {
            answer.object.get("domain").and_then(Value::as_str) == Some(domain)
                && answer.object.get("member") == Some(&Value::Bool(true))
        }
        Ok(Err(e)) => {
            tracing::debug!(section, error = %e, "a section's server did not answer");
            false
        }
        Err(_) => false,
    }
}

/// Server B: the answer of the local section `section` to `signer`, asking whether `domain`
/// hosts one of its accepted members. Only the instance actor (an `Application`) of a server
/// hosting a group with which the section is affiliated (its administrators asked, the group
/// accepted) is answered; anyone else is not (`None`: 404). A yes or a no for one domain,
/// which that domain's server knows already from the section's deliveries.
pub(super) async fn answer(
    state: &AppState,
    section: &AccountRow,
    signer: &AccountRow,
    domain: &str,
) -> AppResult<Option<bool>> {
    let Some(asker) = signer
        .domain
        .as_deref()
        .filter(|_| signer.actor_type == "Application")
    else {
        return Ok(None);
    };
    if !section.is_local() || section.actor_type != "Group" {
        return Ok(None);
    }
    let domain = domain.trim().to_ascii_lowercase();
    if domain.is_empty() || domain.len() > MAX_DOMAIN {
        return Ok(None);
    }
    if !db::groups::affiliated_with_domain(state.pool(), section.id, asker).await? {
        return Ok(None);
    }
    Ok(Some(
        db::groups::domain_has_member(state.pool(), section.id, &domain).await?,
    ))
}

/// Server C: whether the group `section` may place `status`, a post of another group's
/// members circle it passes on (`Announce`), in its own members circle: the post's group
/// vouches for the section. A group of this server vouches by its approved affiliation; a
/// group elsewhere by its own server's `officialSections` list, read now (never the
/// section's word).
pub(super) async fn passes_on(
    state: &AppState,
    section: &Group,
    status: &StatusRow,
) -> AppResult<bool> {
    if status.visibility != Visibility::Group
        || status.circle != Some(Circle::Members)
        || status.reblog_of_id.is_some()
    {
        return Ok(false);
    }
    let Some(federation) = status.group_id.filter(|g| *g != section.account.id) else {
        return Ok(false);
    };
    let Some(federation) = db::accounts::by_id(state.pool(), federation).await? else {
        return Ok(false);
    };
    if federation.actor_type != "Group" || federation.deleted_at.is_some() {
        return Ok(false);
    }
    if federation.is_local() {
        return Ok(db::groups::affiliated(state.pool(), federation.id)
            .await?
            .contains(&section.account.id));
    }
    Ok(super::official::official_sections(state, &federation)
        .await
        .is_some_and(|ids| ids.contains(&section.account.uri)))
}

/// Server C: the group a post passed on by another group names as its own (`audience`),
/// stored from its own server when unknown here, so that the post, fetched next from its own
/// server, is read as written in that group's circle rather than as a direct message. The
/// passed-on copy only says which actor to fetch; nothing of it is kept.
pub(super) async fn learn_group(state: &AppState, announcer: &Group, note: &Value) {
    let Some(audience) = note.get("audience").and_then(super::protocol::id_of) else {
        return;
    };
    if audience == announcer.account.uri {
        return;
    }
    let Ok(url) = Url::parse(audience) else {
        return;
    };
    if state.config.is_local_url(&url)
        || db::accounts::by_uri(state.pool(), audience)
            .await
            .is_ok_and(|known| known.is_some())
    {
        return;
    }
    let data = super::data(state);
    if let Err(e) = ObjectId::<ApAccount>::from(url).dereference(&data).await {
        tracing::debug!(group = audience, error = ?e, "a post's group could not be read");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_goes_to_the_sections_own_address() {
        let url = question_url("https://b.example/users/s", "c.example:8443").unwrap();
        assert_eq!(
            url.as_str(),
            "https://b.example/users/s/member_domain?domain=c.example%3A8443"
        );
        assert!(question_url("https://b.example/users/s?x=1", "c.example").is_none());
        assert!(question_url("ftp://b.example/users/s", "c.example").is_none());
        assert!(question_url("not a url", "c.example").is_none());
    }

    #[test]
    fn a_no_is_kept_shorter_than_a_yes_and_the_cache_is_bounded() {
        let chain = Chain::default();
        chain.remember(1, "c.example", true);
        chain.remember(2, "c.example", false);
        assert_eq!(chain.cached(1, "c.example"), Some(true));
        assert_eq!(chain.cached(2, "c.example"), Some(false));
        assert_eq!(chain.cached(1, "d.example"), None);
        if let Ok(mut answers) = chain.answers.lock()
            && let Some(old) = Instant::now().checked_sub(NO_FOR + Duration::from_secs(1))
        {
            answers.insert((1, "c.example".into()), (old, true));
            answers.insert((2, "c.example".into()), (old, false));
        }
        assert_eq!(chain.cached(1, "c.example"), Some(true));
        assert_eq!(chain.cached(2, "c.example"), None);
        for i in 0..MOST_ANSWERS as i64 + 5 {
            chain.remember(i, "c.example", true);
        }
        assert!(chain.answers.lock().unwrap().len() <= MOST_ANSWERS);
    }
}
