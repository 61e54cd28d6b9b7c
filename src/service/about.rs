//! What the instance says about itself: name, short description, contact, extended
//! description and privacy policy. Administrators edit them at `/admin/about`; they are kept in
//! `settings` (one row per text, `about.*`), and until one is saved the configuration file's
//! values stand (`instance_name`, `instance_description`, `contact_email`). The about page,
//! the Mastodon API's instance entities, NodeInfo and every page's header read them here.

use crate::{
    clock,
    db::{self, accounts::AccountRow},
    domain::{
        Invalid, Locale, UserState,
        about::{AboutFields, AboutInput},
        html::markdown_to_html,
        modlog::{Action, Target},
    },
    error::{AppError, AppResult},
    service::modlog::{self, Entry},
    state::AppState,
};

const NAME: &str = "about.name";
const SHORT: &str = "about.short_description";
const EMAIL: &str = "about.contact_email";
const USERNAME: &str = "about.contact_username";
const EXTENDED: &str = "about.extended_description";
const PRIVACY: &str = "about.privacy_policy";
/// When the extended description last changed (Unix microseconds).
const EXTENDED_AT: &str = "about.extended_description_updated_at";
/// When the privacy policy last changed.
const PRIVACY_AT: &str = "about.privacy_policy_updated_at";

const ALL: &[&str] = &[
    NAME,
    SHORT,
    EMAIL,
    USERNAME,
    EXTENDED,
    PRIVACY,
    EXTENDED_AT,
    PRIVACY_AT,
];

/// The about texts in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct About {
    /// The checked texts (the configuration's values where nothing was saved).
    pub texts: AboutInput,
    /// When the extended description was last saved, if ever.
    pub extended_description_updated_at: Option<i64>,
    /// When the privacy policy was last saved, if ever.
    pub privacy_policy_updated_at: Option<i64>,
}

/// The about texts: what administrators saved, else the configuration's values.
pub async fn get(state: &AppState) -> AppResult<About> {
    let stored = db::settings::get_many(state.pool(), ALL).await?;
    let value = |key: &str| {
        stored
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let c = &state.config;
    let at = |key: &str| value(key).and_then(|v| v.parse::<i64>().ok());
    Ok(About {
        texts: AboutInput {
            name: value(NAME).unwrap_or(&c.instance_name).to_string(),
            short_description: value(SHORT).unwrap_or(&c.instance_description).to_string(),
            contact_email: value(EMAIL).unwrap_or(&c.contact_email).to_string(),
            contact_username: value(USERNAME).unwrap_or("").to_string(),
            extended_description: value(EXTENDED).unwrap_or("").to_string(),
            privacy_policy: value(PRIVACY).unwrap_or("").to_string(),
        },
        extended_description_updated_at: at(EXTENDED_AT),
        privacy_policy_updated_at: at(PRIVACY_AT),
    })
}

/// The instance's name alone (every page's header): one read of one row.
pub async fn name(state: &AppState) -> AppResult<String> {
    Ok(db::settings::get(state.pool(), NAME)
        .await?
        .unwrap_or_else(|| state.config.instance_name.clone()))
}

/// The contact account, when one is named and is still an active local person.
pub async fn contact_account(state: &AppState, about: &About) -> AppResult<Option<AccountRow>> {
    let name = &about.texts.contact_username;
    if name.is_empty() {
        return Ok(None);
    }
    let Some(user) = db::accounts::user_by_username(state.pool(), name).await? else {
        return Ok(None);
    };
    if user.state != UserState::Active {
        return Ok(None);
    }
    Ok(db::accounts::by_id(state.pool(), user.account_id)
        .await?
        .filter(|a| a.deleted_at.is_none()))
}

/// Saves the about texts (administrators only). Every field is checked and every refusal
/// given at once; the contact account must be an active person of this instance. The
/// moderation log records which texts changed, never the texts.
pub async fn set(
    state: &AppState,
    by: &db::accounts::UserRow,
    f: &AboutFields<'_>,
) -> AppResult<()> {
    modlog::require_admin(by)?;
    let mut errors = Vec::new();
    let input = match AboutInput::parse(f) {
        Ok(input) => Some(input),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    if let Some(input) = &input
        && !input.contact_username.is_empty()
    {
        let user = db::accounts::user_by_username(state.pool(), &input.contact_username).await?;
        if !user.is_some_and(|u| u.state == UserState::Active) {
            errors.push(Invalid::new(
                "contact_username",
                "error-about-contact-unknown",
            ));
        }
    }
    let Some(input) = input.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors));
    };
    let before = get(state).await?;
    let now = clock::now().to_string();
    let old = &before.texts;
    let changes: Vec<(&str, &str, &str)> = [
        (NAME, old.name.as_str(), input.name.as_str()),
        (SHORT, &old.short_description, &input.short_description),
        (EMAIL, &old.contact_email, &input.contact_email),
        (USERNAME, &old.contact_username, &input.contact_username),
        (
            EXTENDED,
            &old.extended_description,
            &input.extended_description,
        ),
        (PRIVACY, &old.privacy_policy, &input.privacy_policy),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .collect();
    if changes.is_empty() {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    for (key, _, value) in &changes {
        db::settings::set(&mut *tx, key, value).await?;
        if *key == EXTENDED {
            db::settings::set(&mut *tx, EXTENDED_AT, &now).await?;
        }
        if *key == PRIVACY {
            db::settings::set(&mut *tx, PRIVACY_AT, &now).await?;
        }
    }
    let fields = changes
        .iter()
        .map(|(k, _, _)| k.trim_start_matches("about."))
        .collect::<Vec<_>>()
        .join(", ");
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::AboutUpdated,
            Target::Instance,
            None,
            "",
        )
        .with(&[("fields", fields)]),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// When `text` was first seen under `key` (Unix microseconds): texts that are not saved with
/// a time (the configuration's, the default privacy notice) keep their hash with the time a
/// process first served them, and a new text gets a new time.
async fn first_seen(state: &AppState, key: &str, text: &str) -> AppResult<i64> {
    let hash = crate::crypto::sha256_base64url(text.as_bytes());
    if let Some(seen) = db::settings::get(state.pool(), key).await?
        && let Some((h, t)) = seen.split_once(' ')
        && h == hash
        && let Ok(t) = t.parse()
    {
        return Ok(t);
    }
    let now = clock::now();
    db::settings::set(state.pool(), key, &format!("{hash} {now}")).await?;
    Ok(now)
}

/// The extended description as sanitized HTML with when it changed. Until administrators
/// write one, the short description stands in for it (as before the about page was editable).
pub async fn extended_description(state: &AppState) -> AppResult<(String, i64)> {
    let about = get(state).await?;
    let t = &about.texts;
    if !t.extended_description.is_empty() {
        let at = match about.extended_description_updated_at {
            Some(at) => at,
            None => {
                first_seen(
                    state,
                    "about.extended_description_seen",
                    &t.extended_description,
                )
                .await?
            }
        };
        return Ok((markdown_to_html(&t.extended_description), at));
    }
    let at = first_seen(state, "instance_description_seen", &t.short_description).await?;
    Ok((markdown_to_html(&t.short_description), at))
}

/// The privacy policy as sanitized HTML with when it changed. Until administrators write one,
/// it is the notice the about page shows (what coopol itself keeps and never shows), in
/// `locale`.
pub async fn privacy_policy(state: &AppState, locale: Locale) -> AppResult<(String, i64)> {
    let about = get(state).await?;
    let policy = &about.texts.privacy_policy;
    if !policy.is_empty() {
        let at = match about.privacy_policy_updated_at {
            Some(at) => at,
            None => first_seen(state, "about.privacy_policy_seen", policy).await?,
        };
        return Ok((markdown_to_html(policy), at));
    }
    let notice = [
        "page-about-privacy-data",
        "page-about-privacy-membership",
        "page-about-privacy-deletion",
    ]
    .iter()
    .map(|k| crate::i18n::t(locale, k))
    .collect::<Vec<_>>()
    .join("\n\n");
    let at = first_seen(state, "about.default_privacy_seen", &notice).await?;
    Ok((markdown_to_html(&notice), at))
}
