//! The affiliation chain beyond one hop (docs/decisions/0032, docs/FEDERATION.md "A section's
//! members on a third server"): a federation F of this server, a section S on server B whose
//! affiliation F approved, a member M of S whose account is on server C.
//!
//! - B passes F's members-only posts on to S's members, so C fetches the post from here
//!   signing as its instance actor. C hosts no member of F, so the direct check of rule T7
//!   fails; [`member_of_a_section`] then asks the servers of F's approved sections, and only
//!   them, whether C hosts a member of their section. The question is a signed GET of the
//!   section's `member_domain` (its own address plus `/member_domain?domain=C&object=P`,
//!   P the post), answered by [`answer`] with a yes or a no for that one domain and that one
//!   post: yes only when the section placed P in its members circle (it received it and
//!   passed it on) and C hosts one of its members. Never a member list.
//! - C places the post in S's members circle only when F's own server lists S among the
//!   sections F vouches for ([`passes_on`]): a group merely claiming an affiliation places
//!   nothing. F's list is kept [`VOUCHES_FOR`] in memory, so a group re-announcing does not
//!   make us fetch it each time.
//!
//! Answers are kept a short while in this process's memory ([`Chain`]: bounded, a yes longer
//! than a no), at most [`MOST_ASKED`] sections are asked per fetch, the never-asked and
//! longest-unasked first, each for at most [`ASK_TIMEOUT`]; the questions one requesting
//! domain causes, all the questions this process sends, and the questions one asker puts to
//! us are rate-limited, so that a server fetching our members-only posts cannot make us
//! send requests at will, nor a federation's server question us at will.

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
/// The most sections asked for one fetch: the others are asked on a later fetch (the
/// never-asked and longest-unasked first, so that every section is reached in turn).
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
/// The most questions this process sends in a minute, whoever causes them (a wildcard
/// domain's subdomains are each a new requesting domain).
const ALL_QUESTIONS_PER_MINUTE: u32 = 600;
/// The most questions one asking server is answered in a minute.
const ANSWERS_PER_MINUTE: u32 = 60;
/// How long a federation's list of the sections it vouches for is kept.
pub const VOUCHES_FOR: Duration = Duration::from_secs(300);
/// The most federations' lists kept (all are dropped when full).
const MOST_VOUCHES: usize = 1_000;
/// The longest domain asked about (a DNS name, a port).
const MAX_DOMAIN: usize = 262;

/// What this process remembers of the chain: the sections' answers, the questions each
/// requesting domain caused and all it sent, the questions each asker put to us, and the
/// remote federations' lists of the sections they vouch for.
pub struct Chain {
    answers: Mutex<HashMap<(i64, String), (Instant, bool)>>,
    questions: Keyed<String>,
    all_questions: Keyed<()>,
    answered: Keyed<String>,
    vouches: Mutex<HashMap<i64, (Instant, Vec<String>)>>,
}

impl Default for Chain {
    fn default() -> Self {
        let minute = Duration::from_secs(60);
        Chain {
            answers: Mutex::new(HashMap::new()),
            questions: Keyed::new(QUESTIONS_PER_MINUTE, minute),
            all_questions: Keyed::new(ALL_QUESTIONS_PER_MINUTE, minute),
            answered: Keyed::new(ANSWERS_PER_MINUTE, minute),
            vouches: Mutex::new(HashMap::new()),
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

    /// When section `section` was last asked about `domain` (`None`: never, or forgotten).
    fn last_asked(&self, section: i64, domain: &str) -> Option<Instant> {
        let answers = self.answers.lock().ok()?;
        answers
            .get(&(section, domain.to_string()))
            .map(|(at, _)| *at)
    }

    /// Whether one more question may be sent for `domain`: within its own budget and this
    /// process's.
    fn may_ask(&self, domain: &String) -> bool {
        self.questions.check(domain).is_ok() && self.all_questions.check(&()).is_ok()
    }

    /// The sections the remote federation `federation` vouches for, as last read, while
    /// that holds.
    fn vouched(&self, federation: i64) -> Option<Vec<String>> {
        let vouches = self.vouches.lock().ok()?;
        let (at, sections) = vouches.get(&federation)?;
        (at.elapsed() < VOUCHES_FOR).then(|| sections.clone())
    }

    fn remember_vouches(&self, federation: i64, sections: Vec<String>) {
        if let Ok(mut vouches) = self.vouches.lock() {
            if vouches.len() >= MOST_VOUCHES {
                vouches.clear();
            }
            vouches.insert(federation, (Instant::now(), sections));
        }
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
        self.all_questions.forget_idle();
        self.answered.forget_idle();
    }
}

/// Server A: whether `domain` hosts an approved section of the local group `group_id`, or a
/// member of one, as that section's own server says. Called by rule T7's check when `domain`
/// hosts no member of the group itself, for `post`, written in the group's members circle.
pub(super) async fn member_of_a_section(
    state: &AppState,
    group_id: i64,
    post: &str,
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
    // The never-asked first, then the longest unasked: a later fetch reaches the others.
    unknown.sort_by_cached_key(|(id, _)| chain.last_asked(*id, domain));
    let key = domain.to_string();
    let asked: Vec<(i64, String)> = unknown
        .into_iter()
        .take(MOST_ASKED)
        .take_while(|_| chain.may_ask(&key))
        .collect();
    let answers =
        futures::future::join_all(asked.iter().map(|(_, uri)| ask(state, uri, post, domain))).await;
    let mut member = false;
    for ((id, _), answer) in asked.iter().zip(answers) {
        chain.remember(*id, domain, answer);
        member |= answer;
    }
    Ok(member)
}

/// The address of a section's `member_domain` question about `domain` and `post`: under the
/// section's own id, so only its own server is asked.
fn question_url(section: &str, post: &str, domain: &str) -> Option<Url> {
    let mut url = Url::parse(&format!("{}/member_domain", section.trim_end_matches('/'))).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.query().is_some() {
        return None;
    }
    url.query_pairs_mut()
        .append_pair("domain", domain)
        .append_pair("object", post);
    Some(url)
}

/// Asks a section's server whether `domain` hosts one of its members (signed as our instance
/// actor) about `post`. No answer, a late one or another document is a no.
async fn ask(state: &AppState, section: &str, post: &str, domain: &str) -> bool {
    let Some(url) = question_url(section, post, domain) else {
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
/// hosts one of its accepted members, for the post `post`. Only the instance actor (an
/// `Application`) of a server hosting a federation with which the section is affiliated (its
/// administrators asked, the federation accepted) is answered, [`ANSWERS_PER_MINUTE`] times
/// a minute; anyone else, or a question naming no post, is not (`None`: 404). A yes only
/// when the section placed that post in its members circle (it received it and passed it
/// on, so that domain's server holds it already) and the domain hosts one of its members:
/// an asker cannot go through domains to learn where the section's members are.
pub(super) async fn answer(
    state: &AppState,
    section: &AccountRow,
    signer: &AccountRow,
    domain: &str,
    post: &str,
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
    if domain.is_empty() || domain.len() > MAX_DOMAIN || post.is_empty() {
        return Ok(None);
    }
    if !db::groups::affiliated_with_federation_on(state.pool(), section.id, asker).await? {
        return Ok(None);
    }
    if super::runtime(state)
        .chain
        .answered
        .check(&asker.to_string())
        .is_err()
    {
        return Ok(None);
    }
    let Some(status) = db::statuses::by_uri(state.pool(), post).await? else {
        return Ok(Some(false));
    };
    let passed_on = db::groups::post_groups(state.pool(), status.id)
        .await?
        .contains(&(section.id, Circle::Members));
    Ok(Some(
        passed_on && db::groups::domain_has_member(state.pool(), section.id, &domain).await?,
    ))
}

/// Server C: whether the group `section` may place `status`, a post of another group's
/// members circle it passes on (`Announce`), in its own members circle: the post's group
/// vouches for the section. A group of this server vouches by its approved affiliation; a
/// group elsewhere by its own server's `officialSections` list (never the section's word),
/// read then kept [`VOUCHES_FOR`] (a failed read counts as an empty list for as long).
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
    let chain = &super::runtime(state).chain;
    let vouched = match chain.vouched(federation.id) {
        Some(sections) => sections,
        None => {
            let sections = super::official::official_sections(state, &federation)
                .await
                .unwrap_or_default();
            chain.remember_vouches(federation.id, sections.clone());
            sections
        }
    };
    Ok(vouched.contains(&section.account.uri))
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
        let post = "https://a.example/statuses/1";
        let url = question_url("https://b.example/users/s", post, "c.example:8443").unwrap();
        assert_eq!(
            url.as_str(),
            "https://b.example/users/s/member_domain?domain=c.example%3A8443\
             &object=https%3A%2F%2Fa.example%2Fstatuses%2F1"
        );
        assert!(question_url("https://b.example/users/s?x=1", post, "c.example").is_none());
        assert!(question_url("ftp://b.example/users/s", post, "c.example").is_none());
        assert!(question_url("not a url", post, "c.example").is_none());
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

    #[test]
    fn the_never_asked_and_longest_unasked_sections_come_first() {
        let chain = Chain::default();
        let old = Instant::now().checked_sub(NO_FOR * 3).unwrap();
        let older = Instant::now().checked_sub(NO_FOR * 4).unwrap();
        if let Ok(mut answers) = chain.answers.lock() {
            answers.insert((1, "c.example".into()), (old, false));
            answers.insert((2, "c.example".into()), (older, false));
        }
        let mut sections = vec![1_i64, 2, 3];
        sections.sort_by_cached_key(|id| chain.last_asked(*id, "c.example"));
        assert_eq!(sections, vec![3, 2, 1]);
    }

    #[test]
    fn a_federations_list_is_kept_a_while_and_the_lists_are_bounded() {
        let chain = Chain::default();
        assert_eq!(chain.vouched(7), None);
        chain.remember_vouches(7, vec!["https://b.example/users/s".into()]);
        assert_eq!(
            chain.vouched(7),
            Some(vec!["https://b.example/users/s".to_string()])
        );
        if let Ok(mut vouches) = chain.vouches.lock()
            && let Some(old) = Instant::now().checked_sub(VOUCHES_FOR + Duration::from_secs(1))
        {
            vouches.insert(7, (old, Vec::new()));
        }
        assert_eq!(chain.vouched(7), None);
        for i in 0..MOST_VOUCHES as i64 + 5 {
            chain.remember_vouches(i, Vec::new());
        }
        assert!(chain.vouches.lock().unwrap().len() <= MOST_VOUCHES);
    }

    #[test]
    fn this_process_sends_a_bounded_number_of_questions_a_minute() {
        let chain = Chain::default();
        let sent = (0..ALL_QUESTIONS_PER_MINUTE + 10)
            .filter(|i| chain.may_ask(&format!("d{i}.example")))
            .count();
        assert_eq!(sent, ALL_QUESTIONS_PER_MINUTE as usize);
    }
}
