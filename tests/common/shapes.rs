//! Mastodon's entities as apps read them (docs.joinmastodon.org/entities): each checker fails
//! with the path of the first field that is missing or of the wrong JSON type. A field an app
//! reads must be there with the type the documentation gives; `null` only where Mastodon
//! itself may send it. Nested entities are checked as deep as they go.

#![allow(dead_code)]

use serde_json::Value;

/// A JSON type as the documentation gives it.
#[derive(Clone, Copy, Debug)]
pub enum T {
    /// String.
    S,
    /// String or null.
    OS,
    /// Integer.
    I,
    /// Integer or null.
    OI,
    /// Boolean.
    B,
    /// Boolean or null.
    OB,
    /// Array.
    A,
    /// Array or null.
    OA,
    /// Object.
    O,
    /// Object or null.
    OO,
    /// A string that holds an integer (Mastodon casts some counts to strings).
    SI,
}

fn type_ok(v: &Value, t: T) -> bool {
    match t {
        T::S => v.is_string(),
        T::OS => v.is_string() || v.is_null(),
        T::I => v.is_i64() || v.is_u64(),
        T::OI => v.is_i64() || v.is_u64() || v.is_null(),
        T::B => v.is_boolean(),
        T::OB => v.is_boolean() || v.is_null(),
        T::A => v.is_array(),
        T::OA => v.is_array() || v.is_null(),
        T::O => v.is_object(),
        T::OO => v.is_object() || v.is_null(),
        T::SI => v.as_str().is_some_and(|s| s.parse::<i64>().is_ok()),
    }
}

/// Checks that `v` (at `at`) has every field of `spec` with its type.
pub fn fields(v: &Value, at: &str, spec: &[(&str, T)]) {
    assert!(v.is_object(), "{at}: not an object: {v}");
    for (k, t) in spec {
        let f = v
            .get(*k)
            .unwrap_or_else(|| panic!("{at}.{k}: missing in {v}"));
        assert!(type_ok(f, *t), "{at}.{k}: expected {t:?}, got {f}");
    }
}

/// Checks each element of the array `v` with `check`.
pub fn each(v: &Value, at: &str, check: impl Fn(&Value, &str)) {
    let items = v
        .as_array()
        .unwrap_or_else(|| panic!("{at}: not an array: {v}"));
    for (i, item) in items.iter().enumerate() {
        check(item, &format!("{at}[{i}]"));
    }
}

/// Checks `v` with `check` unless it is null.
pub fn opt(v: &Value, at: &str, check: impl Fn(&Value, &str)) {
    if !v.is_null() {
        check(v, at);
    }
}

/// Checks `v[key]` with `check` when the key is present (fields Mastodon sends only in some
/// cases, such as `pinned` on one's own posts).
pub fn if_present(v: &Value, at: &str, key: &str, t: T) {
    if let Some(f) = v.get(key) {
        assert!(type_ok(f, t), "{at}.{key}: expected {t:?}, got {f}");
    }
}

/// CustomEmoji.
pub fn emoji(v: &Value, at: &str) {
    fields(
        v,
        at,
        &[
            ("shortcode", T::S),
            ("url", T::S),
            ("static_url", T::S),
            ("visible_in_picker", T::B),
        ],
    );
}

/// Account.
pub fn account(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("username", S),
            ("acct", S),
            ("url", S),
            ("display_name", S),
            ("note", S),
            ("avatar", S),
            ("avatar_static", S),
            ("header", S),
            ("header_static", S),
            ("locked", B),
            ("fields", A),
            ("emojis", A),
            ("bot", B),
            ("group", B),
            ("discoverable", OB),
            ("created_at", S),
            ("last_status_at", OS),
            ("statuses_count", I),
            ("followers_count", I),
            ("following_count", I),
        ],
    );
    each(&v["fields"], &format!("{at}.fields"), |f, at| {
        fields(f, at, &[("name", S), ("value", S), ("verified_at", OS)])
    });
    each(&v["emojis"], &format!("{at}.emojis"), emoji);
}

/// CredentialAccount: an Account with `source` (what profile editors and composers pre-fill).
pub fn credential_account(v: &Value, at: &str) {
    use T::*;
    account(v, at);
    fields(v, at, &[("source", O)]);
    let source = &v["source"];
    fields(
        source,
        &format!("{at}.source"),
        &[
            ("privacy", S),
            ("sensitive", B),
            ("language", OS),
            ("note", S),
            ("fields", A),
            ("follow_requests_count", I),
        ],
    );
    each(
        &source["fields"],
        &format!("{at}.source.fields"),
        |f, at| fields(f, at, &[("name", S), ("value", S)]),
    );
    if let Some(role) = v.get("role") {
        fields(role, &format!("{at}.role"), &[("id", S), ("name", S)]);
    }
}

/// MediaAttachment.
pub fn media(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("type", S),
            ("url", OS),
            ("preview_url", OS),
            ("remote_url", OS),
            ("meta", OO),
            ("description", OS),
            ("blurhash", OS),
        ],
    );
}

/// Poll.
pub fn poll(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("expires_at", OS),
            ("expired", B),
            ("multiple", B),
            ("votes_count", I),
            ("voters_count", OI),
            ("options", A),
            ("emojis", A),
        ],
    );
    each(&v["options"], &format!("{at}.options"), |o, at| {
        fields(o, at, &[("title", S), ("votes_count", OI)])
    });
    if_present(v, at, "voted", B);
    if_present(v, at, "own_votes", A);
}

/// PreviewCard (when present).
pub fn card(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("url", S),
            ("title", S),
            ("description", S),
            ("type", S),
            ("image", OS),
        ],
    );
}

/// Status, seen by `viewer` or anonymously (`viewer == false`: no per-viewer fields).
fn status_as(v: &Value, at: &str, viewer: bool) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("uri", S),
            ("url", OS),
            ("created_at", S),
            ("account", O),
            ("content", S),
            ("visibility", S),
            ("sensitive", B),
            ("spoiler_text", S),
            ("media_attachments", A),
            ("mentions", A),
            ("tags", A),
            ("emojis", A),
            ("reblogs_count", I),
            ("favourites_count", I),
            ("replies_count", I),
            ("in_reply_to_id", OS),
            ("in_reply_to_account_id", OS),
            ("reblog", OO),
            ("poll", OO),
            ("card", OO),
            ("language", OS),
            ("edited_at", OS),
        ],
    );
    assert!(
        ["public", "unlisted", "private", "direct"].contains(&v["visibility"].as_str().unwrap()),
        "{at}.visibility: {}",
        v["visibility"]
    );
    account(&v["account"], &format!("{at}.account"));
    each(
        &v["media_attachments"],
        &format!("{at}.media_attachments"),
        media,
    );
    each(&v["mentions"], &format!("{at}.mentions"), |m, at| {
        fields(
            m,
            at,
            &[("id", S), ("username", S), ("url", S), ("acct", S)],
        )
    });
    each(&v["tags"], &format!("{at}.tags"), |t, at| {
        fields(t, at, &[("name", S), ("url", S)])
    });
    each(&v["emojis"], &format!("{at}.emojis"), emoji);
    opt(&v["reblog"], &format!("{at}.reblog"), |r, at| {
        status_as(r, at, viewer)
    });
    opt(&v["poll"], &format!("{at}.poll"), poll);
    opt(&v["card"], &format!("{at}.card"), card);
    if let Some(app) = v.get("application").filter(|a| !a.is_null()) {
        fields(
            app,
            &format!("{at}.application"),
            &[("name", S), ("website", OS)],
        );
    }
    if viewer {
        fields(
            v,
            at,
            &[
                ("favourited", B),
                ("reblogged", B),
                ("muted", B),
                ("bookmarked", B),
                ("filtered", A),
            ],
        );
        if_present(v, at, "pinned", B);
        each(&v["filtered"], &format!("{at}.filtered"), filter_result);
    }
}

/// Status as its signed-in reader sees it.
pub fn status(v: &Value, at: &str) {
    status_as(v, at, true);
}

/// Status as an anonymous reader sees it.
pub fn public_status(v: &Value, at: &str) {
    status_as(v, at, false);
}

/// FilterResult.
pub fn filter_result(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("filter", O),
            ("keyword_matches", OA),
            ("status_matches", OA),
        ],
    );
    fields(
        &v["filter"],
        &format!("{at}.filter"),
        &[
            ("id", S),
            ("title", S),
            ("context", A),
            ("expires_at", OS),
            ("filter_action", S),
        ],
    );
}

/// Context.
pub fn context(v: &Value, at: &str) {
    fields(v, at, &[("ancestors", T::A), ("descendants", T::A)]);
    each(&v["ancestors"], &format!("{at}.ancestors"), status);
    each(&v["descendants"], &format!("{at}.descendants"), status);
}

/// StatusSource.
pub fn status_source(v: &Value, at: &str) {
    fields(
        v,
        at,
        &[("id", T::S), ("text", T::S), ("spoiler_text", T::S)],
    );
}

/// StatusEdit.
pub fn status_edit(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("content", S),
            ("spoiler_text", S),
            ("sensitive", B),
            ("created_at", S),
            ("account", O),
            ("media_attachments", A),
            ("emojis", A),
        ],
    );
    account(&v["account"], &format!("{at}.account"));
}

/// ScheduledStatus.
pub fn scheduled_status(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("scheduled_at", S),
            ("params", O),
            ("media_attachments", A),
        ],
    );
    fields(
        &v["params"],
        &format!("{at}.params"),
        &[
            ("text", S),
            ("poll", OO),
            ("media_ids", OA),
            ("sensitive", OB),
            ("spoiler_text", OS),
            ("visibility", S),
            ("in_reply_to_id", OS),
            ("language", OS),
        ],
    );
    each(
        &v["media_attachments"],
        &format!("{at}.media_attachments"),
        media,
    );
}

/// Notification (v1).
pub fn notification(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("type", S),
            ("created_at", S),
            ("account", O),
            ("group_key", S),
        ],
    );
    account(&v["account"], &format!("{at}.account"));
    if let Some(s) = v.get("status") {
        opt(s, &format!("{at}.status"), status);
    }
}

/// GroupedNotificationsResults (`GET /api/v2/notifications`).
pub fn grouped_notifications(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[("accounts", A), ("statuses", A), ("notification_groups", A)],
    );
    each(&v["accounts"], &format!("{at}.accounts"), account);
    each(&v["statuses"], &format!("{at}.statuses"), status);
    each(
        &v["notification_groups"],
        &format!("{at}.notification_groups"),
        |g, at| {
            fields(
                g,
                at,
                &[
                    ("group_key", S),
                    ("notifications_count", I),
                    ("type", S),
                    ("most_recent_notification_id", S),
                    ("sample_account_ids", A),
                ],
            );
            if_present(g, at, "page_min_id", OS);
            if_present(g, at, "page_max_id", OS);
            if_present(g, at, "latest_page_notification_at", OS);
            if_present(g, at, "status_id", OS);
            // Every account and post a group names is in the answer.
            for id in g["sample_account_ids"].as_array().unwrap() {
                assert!(
                    v["accounts"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|a| a["id"] == *id),
                    "{at}: account {id} not in accounts"
                );
            }
            if let Some(sid) = g.get("status_id").and_then(Value::as_str) {
                assert!(
                    v["statuses"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|s| s["id"] == sid),
                    "{at}: status {sid} not in statuses"
                );
            }
        },
    );
}

/// Relationship.
pub fn relationship(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("following", B),
            ("showing_reblogs", B),
            ("notifying", B),
            ("languages", OA),
            ("followed_by", B),
            ("blocking", B),
            ("blocked_by", B),
            ("muting", B),
            ("muting_notifications", B),
            ("requested", B),
            ("requested_by", B),
            ("domain_blocking", B),
            ("endorsed", B),
            ("note", S),
        ],
    );
}

/// Instance (v2).
pub fn instance_v2(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("domain", S),
            ("title", S),
            ("version", S),
            ("source_url", S),
            ("description", S),
            ("usage", O),
            ("thumbnail", O),
            ("languages", A),
            ("configuration", O),
            ("registrations", O),
            ("contact", O),
            ("rules", A),
        ],
    );
    fields(
        &v["usage"]["users"],
        &format!("{at}.usage.users"),
        &[("active_month", I)],
    );
    fields(&v["thumbnail"], &format!("{at}.thumbnail"), &[("url", S)]);
    let c = &v["configuration"];
    let cat = format!("{at}.configuration");
    fields(
        c,
        &cat,
        &[
            ("urls", O),
            ("accounts", O),
            ("statuses", O),
            ("media_attachments", O),
            ("polls", O),
            ("translation", O),
        ],
    );
    fields(&c["urls"], &format!("{cat}.urls"), &[("streaming", S)]);
    fields(
        &c["accounts"],
        &format!("{cat}.accounts"),
        &[("max_featured_tags", I)],
    );
    fields(
        &c["statuses"],
        &format!("{cat}.statuses"),
        &[
            ("max_characters", I),
            ("max_media_attachments", I),
            ("characters_reserved_per_url", I),
        ],
    );
    fields(
        &c["media_attachments"],
        &format!("{cat}.media_attachments"),
        &[
            ("supported_mime_types", A),
            ("image_size_limit", I),
            ("image_matrix_limit", I),
            ("video_size_limit", I),
            ("video_frame_rate_limit", I),
            ("video_matrix_limit", I),
        ],
    );
    fields(
        &c["polls"],
        &format!("{cat}.polls"),
        &[
            ("max_options", I),
            ("max_characters_per_option", I),
            ("min_expiration", I),
            ("max_expiration", I),
        ],
    );
    fields(
        &c["translation"],
        &format!("{cat}.translation"),
        &[("enabled", B)],
    );
    fields(
        &v["registrations"],
        &format!("{at}.registrations"),
        &[("enabled", B), ("approval_required", B), ("message", OS)],
    );
    fields(
        &v["contact"],
        &format!("{at}.contact"),
        &[("email", S), ("account", OO)],
    );
    opt(
        &v["contact"]["account"],
        &format!("{at}.contact.account"),
        account,
    );
    each(&v["rules"], &format!("{at}.rules"), |r, at| {
        fields(r, at, &[("id", S), ("text", S)])
    });
    // Phanpy and Ice Cubes choose grouped notifications from this (Mastodon 4.3).
    fields(
        &v["api_versions"],
        &format!("{at}.api_versions"),
        &[("mastodon", I)],
    );
}

/// Instance (v1).
pub fn instance_v1(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("uri", S),
            ("title", S),
            ("short_description", S),
            ("description", S),
            ("email", S),
            ("version", S),
            ("urls", O),
            ("stats", O),
            ("thumbnail", OS),
            ("languages", A),
            ("registrations", B),
            ("approval_required", B),
            ("invites_enabled", B),
            ("configuration", O),
            ("contact_account", OO),
            ("rules", A),
        ],
    );
    fields(&v["urls"], &format!("{at}.urls"), &[("streaming_api", S)]);
    fields(
        &v["stats"],
        &format!("{at}.stats"),
        &[("user_count", I), ("status_count", I), ("domain_count", I)],
    );
    let c = &v["configuration"];
    fields(
        &c["statuses"],
        &format!("{at}.configuration.statuses"),
        &[
            ("max_characters", I),
            ("max_media_attachments", I),
            ("characters_reserved_per_url", I),
        ],
    );
    fields(
        &c["polls"],
        &format!("{at}.configuration.polls"),
        &[
            ("max_options", I),
            ("max_characters_per_option", I),
            ("min_expiration", I),
            ("max_expiration", I),
        ],
    );
    fields(
        &c["media_attachments"],
        &format!("{at}.configuration.media_attachments"),
        &[("supported_mime_types", A), ("image_size_limit", I)],
    );
}

/// Filter (v2).
pub fn filter(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("title", S),
            ("context", A),
            ("expires_at", OS),
            ("filter_action", S),
            ("keywords", A),
            ("statuses", A),
        ],
    );
    each(&v["keywords"], &format!("{at}.keywords"), filter_keyword);
    each(&v["statuses"], &format!("{at}.statuses"), |s, at| {
        fields(s, at, &[("id", S), ("status_id", S)])
    });
}

/// FilterKeyword.
pub fn filter_keyword(v: &Value, at: &str) {
    fields(
        v,
        at,
        &[("id", T::S), ("keyword", T::S), ("whole_word", T::B)],
    );
}

/// V1::Filter.
pub fn filter_v1(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("phrase", S),
            ("context", A),
            ("expires_at", OS),
            ("irreversible", B),
            ("whole_word", B),
        ],
    );
}

/// List.
pub fn list(v: &Value, at: &str) {
    fields(
        v,
        at,
        &[
            ("id", T::S),
            ("title", T::S),
            ("replies_policy", T::S),
            ("exclusive", T::B),
        ],
    );
}

/// Marker (one timeline's).
pub fn marker(v: &Value, at: &str) {
    fields(
        v,
        at,
        &[
            ("last_read_id", T::S),
            ("version", T::I),
            ("updated_at", T::S),
        ],
    );
}

/// Conversation.
pub fn conversation(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("unread", B),
            ("accounts", A),
            ("last_status", OO),
        ],
    );
    each(&v["accounts"], &format!("{at}.accounts"), account);
    opt(&v["last_status"], &format!("{at}.last_status"), status);
}

/// Tag (with its history; `following` for a signed-in reader when present).
pub fn tag(v: &Value, at: &str) {
    fields(v, at, &[("name", T::S), ("url", T::S), ("history", T::A)]);
    each(&v["history"], &format!("{at}.history"), |h, at| {
        fields(h, at, &[("day", T::S), ("uses", T::S), ("accounts", T::S)])
    });
    if_present(v, at, "following", T::B);
}

/// FeaturedTag.
pub fn featured_tag(v: &Value, at: &str) {
    fields(
        v,
        at,
        &[
            ("id", T::S),
            ("name", T::S),
            ("url", T::S),
            ("statuses_count", T::SI),
            ("last_status_at", T::OS),
        ],
    );
}

/// Search (v2).
pub fn search(v: &Value, at: &str) {
    fields(
        v,
        at,
        &[("accounts", T::A), ("statuses", T::A), ("hashtags", T::A)],
    );
    each(&v["accounts"], &format!("{at}.accounts"), account);
    each(&v["statuses"], &format!("{at}.statuses"), status);
    each(&v["hashtags"], &format!("{at}.hashtags"), |h, at| {
        fields(h, at, &[("name", T::S), ("url", T::S)])
    });
}

/// Preferences.
pub fn preferences(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("posting:default:visibility", S),
            ("posting:default:sensitive", B),
            ("posting:default:language", OS),
            ("reading:expand:media", S),
            ("reading:expand:spoilers", B),
        ],
    );
}

/// Application, as `POST /api/v1/apps` answers (with its credentials).
pub fn credential_application(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("name", S),
            ("website", OS),
            ("redirect_uri", S),
            ("redirect_uris", A),
            ("scopes", A),
            ("client_id", S),
            ("client_secret", S),
        ],
    );
}

/// Token.
pub fn token(v: &Value, at: &str) {
    fields(
        v,
        at,
        &[
            ("access_token", T::S),
            ("token_type", T::S),
            ("scope", T::S),
            ("created_at", T::I),
        ],
    );
}

/// NotificationPolicy (v2).
pub fn notification_policy(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("for_not_following", S),
            ("for_not_followers", S),
            ("for_new_accounts", S),
            ("for_private_mentions", S),
            ("for_limited_accounts", S),
            ("summary", O),
        ],
    );
    fields(
        &v["summary"],
        &format!("{at}.summary"),
        &[
            ("pending_requests_count", I),
            ("pending_notifications_count", I),
        ],
    );
}

/// NotificationRequest.
pub fn notification_request(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("created_at", S),
            ("updated_at", S),
            ("account", O),
            ("notifications_count", SI),
        ],
    );
    account(&v["account"], &format!("{at}.account"));
    if let Some(s) = v.get("last_status") {
        opt(s, &format!("{at}.last_status"), status);
    }
}

/// FamiliarFollowers (one entry).
pub fn familiar_followers(v: &Value, at: &str) {
    fields(v, at, &[("id", T::S), ("accounts", T::A)]);
    each(&v["accounts"], &format!("{at}.accounts"), account);
}

/// Announcement.
pub fn announcement(v: &Value, at: &str) {
    use T::*;
    fields(
        v,
        at,
        &[
            ("id", S),
            ("content", S),
            ("starts_at", OS),
            ("ends_at", OS),
            ("all_day", B),
            ("published_at", S),
            ("updated_at", S),
            ("read", B),
            ("mentions", A),
            ("statuses", A),
            ("tags", A),
            ("emojis", A),
            ("reactions", A),
        ],
    );
    each(&v["reactions"], &format!("{at}.reactions"), |r, at| {
        fields(r, at, &[("name", S), ("count", I), ("me", B)])
    });
}

/// An error as Mastodon gives it: `{"error": "..."}`.
pub fn error(v: &Value, at: &str) {
    fields(v, at, &[("error", T::S)]);
}
