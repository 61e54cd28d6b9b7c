//! What notifications become outside the app: which are still to dispatch (e-mail, push,
//! streams), each person's preferences per kind, notifications about a group, and markers
//! (where a person stopped reading), from which unread counts come. The notifications
//! themselves are written by `db::social::notify`.

use super::Backend;
use super::social::NotificationRow;
use crate::domain::{AlertReach, Channels, MissionAlerts, NotificationKind};
use sqlx::{AnyPool, FromRow, Result};

/// Takes the oldest notifications not yet dispatched, up to `limit`, for the transaction
/// `conn` is in: on PostgreSQL their rows stay locked until it ends (other processes skip
/// them), on SQLite the transaction holds the only write lock.
pub async fn take_undispatched(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    limit: i64,
) -> Result<Vec<NotificationRow>> {
    // `dispatched = 0` is the partial index's predicate, word for word.
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "SELECT id, account_id, from_account_id, type, status_id, group_account_id, created_at, \
         group_key FROM notifications WHERE dispatched = 0 ORDER BY id LIMIT $1{lock}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await
}

/// Marks notifications dispatched; those in `drop` (people who do not want them in the app)
/// are deleted instead.
pub async fn mark_dispatched(
    conn: &mut sqlx::AnyConnection,
    ids: &[i64],
    drop: &[i64],
) -> Result<()> {
    for (list, sql) in [
        (ids, "UPDATE notifications SET dispatched = 1 WHERE id IN "),
        (drop, "DELETE FROM notifications WHERE id IN "),
    ] {
        for chunk in super::padded_chunks(list, super::INSERT_CHUNK) {
            let sql = format!("{sql}({})", super::placeholders(1, chunk.len()));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk.iter() {
                q = q.bind(*id);
            }
            q.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// A person's choice for one kind.
#[derive(Debug, Clone, FromRow)]
pub struct PreferenceRow {
    /// Whose.
    pub account_id: i64,
    /// Which kind.
    pub kind: NotificationKind,
    /// In the app (0/1).
    pub in_app: i64,
    /// By e-mail (0/1).
    pub email: i64,
    /// By push (0/1).
    pub push: i64,
}

impl PreferenceRow {
    /// The channels chosen.
    pub fn channels(&self) -> Channels {
        Channels {
            in_app: self.in_app != 0,
            email: self.email != 0,
            push: self.push != 0,
        }
    }
}

/// The preferences people chose (kinds without a row keep the defaults).
pub async fn preferences(
    conn: &mut sqlx::AnyConnection,
    account_ids: &[i64],
) -> Result<Vec<PreferenceRow>> {
    let mut out = Vec::new();
    for chunk in super::padded_chunks(account_ids, super::INSERT_CHUNK) {
        let sql = format!(
            "SELECT account_id, kind, in_app, email, push FROM notification_preferences \
             WHERE account_id IN ({})",
            super::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in chunk.iter() {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    // A padded chunk repeats its last id, which an IN list does not notice.
    Ok(out)
}

/// Records a person's choice for one kind.
pub async fn set_preference(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    kind: NotificationKind,
    channels: Channels,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO notification_preferences (account_id, kind, in_app, email, push) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, kind) \
         DO UPDATE SET in_app = $3, email = $4, push = $5",
    )
    .bind(account_id)
    .bind(kind)
    .bind(i64::from(channels.in_app))
    .bind(i64::from(channels.email))
    .bind(i64::from(channels.push))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Notifies local accounts about a group: (account, from account, kind, group) rows, once
/// each; nobody of their own doing.
pub async fn notify_about_group(
    conn: &mut sqlx::AnyConnection,
    rows: &[(i64, i64, NotificationKind, i64)],
    now: i64,
) -> Result<()> {
    for (account_id, from_account_id, kind, group_account_id) in rows {
        if account_id == from_account_id {
            continue;
        }
        sqlx::query(
            "INSERT INTO notifications (account_id, from_account_id, type, group_account_id, created_at, group_key) \
             SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $1 AND domain IS NULL) \
             ON CONFLICT DO NOTHING",
        )
        .bind(*account_id)
        .bind(*from_account_id)
        .bind(*kind)
        .bind(*group_account_id)
        .bind(now)
        .bind(kind.group_key(None, now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Removes the notifications of a kind about a group from one person (a request decided or
/// withdrawn), for every recipient.
pub async fn unnotify_about_group(
    conn: &mut sqlx::AnyConnection,
    from_account_id: i64,
    kind: NotificationKind,
    group_account_id: i64,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM notifications WHERE from_account_id = $1 AND type = $2 AND group_account_id = $3",
    )
    .bind(from_account_id)
    .bind(kind)
    .bind(group_account_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A marker: where a person stopped reading a timeline.
#[derive(Debug, Clone, FromRow)]
pub struct MarkerRow {
    /// `home` or `notifications`.
    pub timeline: String,
    /// The newest id read.
    pub last_read_id: i64,
    /// How many times it was set.
    pub version: i64,
    /// When it was last set.
    pub updated_at: i64,
}

/// A person's markers.
pub async fn markers(db: &AnyPool, account_id: i64) -> Result<Vec<MarkerRow>> {
    sqlx::query_as(
        "SELECT timeline, last_read_id, version, updated_at FROM markers WHERE account_id = $1 \
         ORDER BY timeline",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Sets a marker (a newer or older id alike, as Mastodon does); gives it back.
pub async fn set_marker(
    db: &AnyPool,
    account_id: i64,
    timeline: &str,
    last_read_id: i64,
    now: i64,
) -> Result<MarkerRow> {
    sqlx::query_as(
        "INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at) \
         VALUES ($1, $2, $3, 0, $4) ON CONFLICT (account_id, timeline) \
         DO UPDATE SET last_read_id = $3, version = markers.version + 1, updated_at = $4 \
         RETURNING timeline, last_read_id, version, updated_at",
    )
    .bind(account_id)
    .bind(timeline)
    .bind(last_read_id)
    .bind(now)
    .fetch_one(db)
    .await
}

/// How many notifications of these kinds a person has past their `notifications` marker
/// (all of them without a marker), counting at most `cap`.
pub async fn unread_count(
    db: &AnyPool,
    account_id: i64,
    kinds: &[NotificationKind],
    cap: i64,
) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM notifications n WHERE n.account_id = $1 \
         AND n.id > COALESCE((SELECT m.last_read_id FROM markers m \
         WHERE m.account_id = $1 AND m.timeline = 'notifications'), 0) \
         AND n.filtered = 0 AND n.type IN ({}) LIMIT $2) AS unread",
        super::placeholders(3, kinds.len())
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(account_id)
        .bind(cap);
    for k in kinds {
        q = q.bind(*k);
    }
    q.fetch_one(db).await
}

/// Removes every staff notification of a sign-up, once decided.
pub async fn sign_up_decided(db: &AnyPool, account_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM notifications WHERE from_account_id = $1 AND type = $2")
        .bind(account_id)
        .bind(NotificationKind::AdminSignUp)
        .execute(db)
        .await?;
    Ok(())
}

/// Of these people, those whose mission alerts by e-mail are limited and who were sent one
/// since `since` (`.0`), and those who asked for every alert by e-mail (`.1`).
pub async fn alert_caps(
    conn: &mut sqlx::AnyConnection,
    account_ids: &[i64],
    since: i64,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let (mut recent, mut every) = (Vec::new(), Vec::new());
    for chunk in super::padded_chunks(account_ids, super::INSERT_CHUNK) {
        let sql = format!(
            "SELECT account_id, alert_every_email FROM users \
             WHERE (alert_emailed_at >= $1 OR alert_every_email = 1) AND account_id IN ({})",
            super::placeholders(2, chunk.len())
        );
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql)).bind(since);
        for id in chunk.iter() {
            q = q.bind(*id);
        }
        for (id, all) in q.fetch_all(&mut *conn).await? {
            if all == 1 {
                every.push(id)
            } else {
                recent.push(id)
            }
        }
    }
    Ok((recent, every))
}

/// A person's mission alerts (the defaults when they chose none).
pub async fn mission_alerts(db: &AnyPool, account_id: i64) -> Result<MissionAlerts> {
    let row: Option<(AlertReach, Option<String>, i64)> = sqlx::query_as(
        "SELECT alert_reach, alert_postcode, alert_every_email FROM users WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    Ok(row
        .map(|(reach, postcode, every)| MissionAlerts {
            reach,
            postcode,
            every_email: every == 1,
        })
        .unwrap_or_default())
}

/// Sets a person's mission alerts.
pub async fn set_mission_alerts(
    db: &AnyPool,
    account_id: i64,
    alerts: &MissionAlerts,
) -> Result<()> {
    sqlx::query(
        "UPDATE users SET alert_reach = $2, alert_postcode = $3, alert_departement = $4, \
         alert_every_email = $5 WHERE account_id = $1",
    )
    .bind(account_id)
    .bind(alerts.reach)
    .bind(alerts.postcode.as_deref())
    .bind(alerts.departement())
    .bind(i64::from(alerts.every_email))
    .execute(db)
    .await?;
    Ok(())
}

/// The active local people who asked to hear of public missions at `postcode` or in
/// `departement`.
pub async fn near(
    conn: &mut sqlx::AnyConnection,
    postcode: Option<&str>,
    departement: Option<&str>,
) -> Result<Vec<i64>> {
    let mut out: Vec<i64> = Vec::new();
    if let Some(p) = postcode {
        out.extend(
            sqlx::query_scalar::<_, i64>(
                "SELECT account_id FROM users WHERE alert_reach = 'postcode' \
                 AND alert_postcode = $1 AND state = 'active'",
            )
            .bind(p)
            .fetch_all(&mut *conn)
            .await?,
        );
    }
    if let Some(d) = departement {
        out.extend(
            sqlx::query_scalar::<_, i64>(
                "SELECT account_id FROM users WHERE alert_reach = 'departement' \
                 AND alert_departement = $1 AND state = 'active'",
            )
            .bind(d)
            .fetch_all(&mut *conn)
            .await?,
        );
    }
    Ok(out)
}

/// Records that these people were sent a mission alert by e-mail now.
pub async fn mark_alerted(
    conn: &mut sqlx::AnyConnection,
    account_ids: &[i64],
    now: i64,
) -> Result<()> {
    for chunk in super::padded_chunks(account_ids, super::INSERT_CHUNK) {
        let sql = format!(
            "UPDATE users SET alert_emailed_at = $1 WHERE account_id IN ({})",
            super::placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
        for id in chunk.iter() {
            q = q.bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Removes one notification about a post (so that it can be made again, newer).
pub async fn unnotify_post(
    conn: &mut sqlx::AnyConnection,
    account_id: i64,
    from_account_id: i64,
    kind: NotificationKind,
    status_id: i64,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM notifications WHERE account_id = $1 AND from_account_id = $2 AND type = $3 \
         AND status_id = $4",
    )
    .bind(account_id)
    .bind(from_account_id)
    .bind(kind)
    .bind(status_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
