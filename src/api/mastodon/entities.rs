//! The JSON the Mastodon API answers with (docs.joinmastodon.org/entities), and the conversions
//! from stored rows. These types are the API's own: database rows and ActivityPub documents
//! never go out as they are.

use crate::{
    clock,
    db::{accounts::AccountRow, accounts::UserRow, oauth::AppRow},
    domain::Role,
    state::AppState,
};
use serde::Serialize;

/// An account (docs.joinmastodon.org/entities/Account).
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub acct: String,
    pub display_name: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub group: bool,
    pub created_at: String,
    pub note: String,
    pub url: String,
    pub uri: String,
    pub avatar: String,
    pub avatar_static: String,
    pub header: String,
    pub header_static: String,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    pub last_status_at: Option<String>,
    pub hide_collections: bool,
    pub noindex: bool,
    pub emojis: Vec<serde_json::Value>,
    pub roles: Vec<serde_json::Value>,
    pub fields: Vec<serde_json::Value>,
    /// The account this one moved to (Mastodon's `moved`), absent when it did not move.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved: Option<Box<Account>>,
}

impl Account {
    /// The API view of a stored account.
    pub fn from_row(state: &AppState, row: &AccountRow) -> Account {
        let acct = match &row.domain {
            None => row.username.clone(),
            Some(domain) => format!("{}@{domain}", row.username),
        };
        let url = crate::service::statuses::profile_url(state, row);
        let avatar = row
            .avatar_url
            .clone()
            .unwrap_or_else(|| state.config.url("/static/avatar.png"));
        let header = row
            .header_url
            .clone()
            .unwrap_or_else(|| state.config.url("/static/header.png"));
        Account {
            id: row.id.to_string(),
            username: row.username.clone(),
            acct,
            display_name: row.display_name.clone(),
            locked: row.locked != 0,
            bot: matches!(row.actor_type.as_str(), "Service" | "Application"),
            discoverable: row.discoverable != 0,
            indexable: false,
            group: row.actor_type == "Group",
            created_at: clock::to_rfc3339(row.created_at),
            note: row.note_html.clone(),
            url,
            uri: row.uri.clone(),
            avatar: avatar.clone(),
            avatar_static: avatar,
            header: header.clone(),
            header_static: header,
            followers_count: 0,
            following_count: 0,
            statuses_count: 0,
            last_status_at: None,
            hide_collections: false,
            noindex: false,
            emojis: Vec::new(),
            roles: Vec::new(),
            fields: row
                .fields()
                .into_iter()
                .map(|(name, value)| serde_json::json!({ "name": name, "value": value, "verified_at": null }))
                .collect(),
            moved: None,
        }
    }
}

/// The signed-in person's own account, with what only they see
/// (docs.joinmastodon.org/entities/Account/#CredentialAccount).
#[derive(Debug, Serialize)]
pub struct CredentialAccount {
    #[serde(flatten)]
    pub account: Account,
    pub source: Source,
    pub role: RoleEntity,
}

/// What the person wrote, before rendering.
#[derive(Debug, Serialize)]
pub struct Source {
    pub privacy: &'static str,
    pub sensitive: bool,
    pub language: String,
    pub note: String,
    pub fields: Vec<serde_json::Value>,
    pub follow_requests_count: i64,
    pub hide_collections: bool,
    pub discoverable: bool,
    pub indexable: bool,
}

/// A role (docs.joinmastodon.org/entities/Role).
#[derive(Debug, Serialize)]
pub struct RoleEntity {
    pub id: String,
    pub name: String,
    pub color: String,
    pub permissions: String,
    pub highlighted: bool,
}

impl CredentialAccount {
    /// The API view of a local person's own account.
    /// `source` holds the person's preferences and their profile fields as typed.
    pub fn from_rows(
        state: &AppState,
        row: &AccountRow,
        user: &UserRow,
        prefs: &crate::service::preferences::Preferences,
    ) -> CredentialAccount {
        let role = user.role;
        // Mastodon's permission bits: 1 = administrator (everything), 0x...: moderation.
        let (id, name, permissions) = match role {
            Role::Admin => ("3", "Admin", "1"),
            Role::Moderator => ("2", "Moderator", "1308"),
            Role::Member => ("-99", "", "65536"),
        };
        CredentialAccount {
            account: Account::from_row(state, row),
            source: Source {
                privacy: prefs.visibility.api_name(),
                sensitive: prefs.sensitive,
                language: prefs
                    .language
                    .clone()
                    .or_else(|| user.locale.clone())
                    .unwrap_or_default(),
                note: row.note_source.clone(),
                fields: row
                    .fields()
                    .into_iter()
                    .map(|(name, value)| {
                        serde_json::json!({
                            "name": name,
                            "value": crate::domain::status::html_to_text(&value),
                            "verified_at": null,
                        })
                    })
                    .collect(),
                follow_requests_count: 0,
                hide_collections: false,
                discoverable: row.discoverable != 0,
                indexable: false,
            },
            role: RoleEntity {
                id: id.to_string(),
                name: name.to_string(),
                color: String::new(),
                permissions: permissions.to_string(),
                highlighted: role != Role::Member,
            },
        }
    }
}

/// A registered app (docs.joinmastodon.org/entities/Application).
#[derive(Debug, Serialize)]
pub struct Application {
    pub id: String,
    pub name: String,
    pub website: Option<String>,
    pub scopes: Vec<String>,
    pub redirect_uri: String,
    pub redirect_uris: Vec<String>,
    /// Only when the app has just registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Only when the app has just registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Only when the app has just registered; 0 means it does not expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_expires_at: Option<i64>,
    pub vapid_key: String,
}

impl Application {
    /// The API view of an app; the credentials only right after registration. `vapid_key`
    /// is the instance's Web Push public key (`service::push::vapid_keys`).
    pub fn from_row(row: &AppRow, secret: Option<&str>, vapid_key: String) -> Application {
        let uris: Vec<String> = row.redirect_uri_list().map(str::to_string).collect();
        Application {
            id: row.id.to_string(),
            name: row.name.clone(),
            website: row.website.clone(),
            scopes: row.scopes.iter().map(|s| s.as_str().to_string()).collect(),
            redirect_uri: uris.join("\n"),
            redirect_uris: uris,
            client_id: secret.map(|_| row.client_id.clone()),
            client_secret: secret.map(str::to_string),
            client_secret_expires_at: secret.map(|_| 0),
            vapid_key,
        }
    }
}

/// An access token (docs.joinmastodon.org/entities/Token).
#[derive(Debug, Serialize)]
pub struct Token {
    pub access_token: String,
    pub token_type: &'static str,
    pub scope: String,
    pub created_at: i64,
}

impl From<crate::service::oauth::IssuedToken> for Token {
    fn from(t: crate::service::oauth::IssuedToken) -> Self {
        Token {
            access_token: t.token,
            token_type: "Bearer",
            scope: t.scopes.to_string(),
            created_at: t.created_at / 1_000_000,
        }
    }
}

/// A post (docs.joinmastodon.org/entities/Status).
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub id: String,
    pub created_at: String,
    pub in_reply_to_id: Option<String>,
    pub in_reply_to_account_id: Option<String>,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub visibility: String,
    pub language: Option<String>,
    pub uri: String,
    pub url: Option<String>,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub edited_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub favourited: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reblogged: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bookmarked: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
    pub content: String,
    pub filtered: Vec<serde_json::Value>,
    pub reblog: Option<Box<Status>>,
    pub application: Option<serde_json::Value>,
    pub account: Account,
    pub media_attachments: Vec<MediaAttachment>,
    pub mentions: Vec<Mention>,
    pub tags: Vec<TagRef>,
    pub emojis: Vec<serde_json::Value>,
    pub card: Option<PreviewCard>,
    pub poll: Option<super::polls::Poll>,
    /// The source text, given back only when a post is deleted (to "delete and redraft").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A file attached to a post (docs.joinmastodon.org/entities/MediaAttachment).
#[derive(Debug, Clone, Serialize)]
pub struct MediaAttachment {
    pub id: String,
    /// image, gifv, video, audio or unknown.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The file, served from this server (`null` while it is processed).
    pub url: Option<String>,
    pub preview_url: Option<String>,
    /// Its address on the server it came from.
    pub remote_url: Option<String>,
    pub preview_remote_url: Option<String>,
    pub text_url: Option<String>,
    pub meta: serde_json::Value,
    /// Alt text.
    pub description: Option<String>,
    pub blurhash: Option<String>,
}

/// The preview of a post's first link (docs.joinmastodon.org/entities/PreviewCard).
#[derive(Debug, Clone, Serialize)]
pub struct PreviewCard {
    pub url: String,
    pub title: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub author_name: String,
    pub author_url: String,
    pub provider_name: String,
    pub provider_url: String,
    pub html: String,
    pub width: i64,
    pub height: i64,
    /// The page's picture, served from this server.
    pub image: Option<String>,
    pub image_description: String,
    pub embed_url: String,
    pub blurhash: Option<String>,
    pub language: Option<String>,
    pub published_at: Option<String>,
    pub authors: Vec<serde_json::Value>,
}

/// A mention in a post.
#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    pub id: String,
    pub username: String,
    pub url: String,
    pub acct: String,
}

/// A hashtag in a post.
#[derive(Debug, Clone, Serialize)]
pub struct TagRef {
    pub name: String,
    pub url: String,
}

/// A relationship (docs.joinmastodon.org/entities/Relationship).
#[derive(Debug, Clone, Serialize)]
pub struct Relationship {
    pub id: String,
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub languages: Option<Vec<String>>,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub requested: bool,
    pub requested_by: bool,
    pub domain_blocking: bool,
    pub endorsed: bool,
    pub note: String,
}

/// A notification (docs.joinmastodon.org/entities/Notification).
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The key of the group it is shown in by the API's v2 (`ungrouped-<id>` alone).
    pub group_key: String,
    pub created_at: String,
    pub account: Account,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// coopol's: the group concerned (a request to join it, or to be affiliated with it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<Account>,
}

/// Where a person stopped reading a timeline (docs.joinmastodon.org/entities/Marker).
#[derive(Debug, Clone, Serialize)]
pub struct Marker {
    pub last_read_id: String,
    pub version: i64,
    pub updated_at: String,
}

/// A hashtag in search results (docs.joinmastodon.org/entities/Tag).
#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub name: String,
    pub url: String,
    pub history: Vec<serde_json::Value>,
    /// Whether the viewer follows it: only for a signed-in viewer, as on Mastodon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<bool>,
}

/// A push subscription (docs.joinmastodon.org/entities/WebPushSubscription): every alert an
/// app may set, with its value; `standard` is always true (coopol sends RFC 8291 only).
#[derive(Debug, Serialize)]
pub struct WebPushSubscription {
    pub id: String,
    pub endpoint: String,
    pub standard: bool,
    pub alerts: std::collections::BTreeMap<&'static str, bool>,
    pub server_key: String,
    pub policy: &'static str,
}

impl From<crate::service::push::Subscription> for WebPushSubscription {
    fn from(s: crate::service::push::Subscription) -> Self {
        WebPushSubscription {
            id: s.id.to_string(),
            endpoint: s.endpoint,
            standard: true,
            alerts: s.alerts.all().collect(),
            server_key: s.server_key,
            policy: s.policy.as_str(),
        }
    }
}
