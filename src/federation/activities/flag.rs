//! `Flag`: a report, in Mastodon's shape. Sent when a person here reports an account of
//! another server and asks to forward it: from the instance actor (never the reporter), its
//! object the account then the reported posts, its content the comment. Received from another
//! server about one of our accounts: it lands in the moderation queue (`service::reports`).

use super::audience::shared_inbox_of;
use super::{Prepared, Result};
use crate::{
    db::{self, accounts::AccountRow},
    error::{AppError, AppResult},
    federation::{
        protocol::{self, Activity},
        receive::{Outcome, permanent},
    },
    service::{
        outgoing::Outgoing,
        reports::{self, MAX_FLAG_OBJECTS, Received},
    },
    state::AppState,
};
use serde_json::Value;

/// A `Flag` of `target` and its posts, from `actor` (our instance actor).
pub(super) fn flag(
    id: &str,
    actor: &str,
    target: &str,
    status_uris: &[String],
    comment: &str,
) -> AppResult<Activity> {
    let mut object = vec![Value::String(target.to_string())];
    object.extend(status_uris.iter().cloned().map(Value::String));
    let mut a = Activity::new(
        id,
        "Flag",
        actor,
        Value::Array(object),
        vec![target.to_string()],
        Vec::new(),
    )
    .map_err(AppError::internal)?;
    a.content = Some(comment.to_string());
    Ok(a)
}

pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    let Outgoing::Flag { report_id, domains } = outgoing else {
        return Ok(None);
    };
    let (Some(instance), Some(f)) = (
        db::accounts::instance_actor(state.pool()).await?,
        reports::forward(state, *report_id, domains).await?,
    ) else {
        return Ok(None);
    };
    let mut inboxes: Vec<String> = Vec::new();
    for a in &f.recipients {
        if let Some(inbox) = shared_inbox_of(a)
            && !inboxes.contains(&inbox)
        {
            inboxes.push(inbox);
        }
    }
    if inboxes.is_empty() {
        return Ok(None);
    }
    let body = flag(
        &f.uri,
        &instance.uri,
        &f.target.uri,
        &f.status_uris,
        &f.comment,
    )?;
    Ok(Some(Prepared {
        actor_id: instance.id,
        body: body.to_json(),
        inboxes,
    }))
}

/// Another server reports one of our accounts.
pub(super) async fn received(
    state: &AppState,
    actor: &AccountRow,
    activity: &Activity,
) -> Result<Outcome> {
    // A server whose reports the administrators reject (domain policy `reject_reports`).
    if let Some(domain) = actor.domain.as_deref()
        && crate::service::domain_policy::rejects_reports(state, domain)
    {
        return Ok(Outcome::Ignored(
            "the domain policy rejects this server's reports",
        ));
    }
    let objects = protocol::ids_of(&activity.object);
    if objects.len() > MAX_FLAG_OBJECTS {
        return Err(permanent("a report names too many objects"));
    }
    let objects: Vec<&str> = objects.iter().map(String::as_str).collect();
    let content = activity.content.as_deref().unwrap_or_default();
    Ok(
        match reports::received(state, actor, activity.id.as_str(), &objects, content).await? {
            Received::Queued => Outcome::Applied("report queued for the moderators"),
            Received::NotOurs => Outcome::Ignored("the reported account is not on this server"),
            Received::Known => Outcome::Ignored("this report was received before"),
            Received::TooMany => Outcome::Ignored("too many open reports from this server"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_flag_names_the_account_then_its_posts_and_reads_back() {
        let a = flag(
            "https://a.example/actor#flags/1",
            "https://a.example/actor",
            "https://b.example/users/bob",
            &["https://b.example/users/bob/statuses/1".to_string()],
            "spam",
        )
        .unwrap();
        let body = a.to_json();
        assert_eq!(
            body["object"],
            json!([
                "https://b.example/users/bob",
                "https://b.example/users/bob/statuses/1"
            ])
        );
        assert_eq!(body["content"], "spam");
        assert_eq!(body["to"], json!(["https://b.example/users/bob"]));
        let read = crate::federation::receive::parse_activity(
            "https://a.example/actor",
            &body.to_string(),
        )
        .unwrap();
        assert_eq!(read.kind, "Flag");
        assert_eq!(read.content.as_deref(), Some("spam"));
        assert_eq!(protocol::ids_of(&read.object).len(), 2);
    }
}
