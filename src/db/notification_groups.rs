//! Grouped notifications (the Mastodon API's v2): pages of notifications read group by group,
//! what each group holds within a page (how many, who, the newest), one group by its key,
//! its senders, dismissing it, and the unread groups. Groups are the notifications sharing a
//! `group_key` (written with them, `NotificationKind::group_key`); a notification without
//! one, or of a kind the caller does not group, is a group alone, named `ungrouped-<id>`.

use super::social::NotificationRow;
use crate::domain::NotificationKind;
use sqlx::{AnyPool, FromRow, Result};

/// Which notifications are read: of these kinds, and from one sender if given.
#[derive(Debug, Clone)]
pub struct Filter {
    /// The kinds (never empty: callers answer an empty page without asking).
    pub kinds: Vec<NotificationKind>,
    /// Only from this account.
    pub from_account: Option<i64>,
    /// With the filtered notifications (waiting in requests), left out otherwise.
    pub include_filtered: bool,
}

/// A value bound to a statement built here.
enum Arg {
    Int(Option<i64>),
    Text(String),
    Kind(NotificationKind),
}

/// A statement written with its arguments, numbered as they are added.
struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    fn new(account_id: i64) -> Sql {
        Sql {
            text: String::new(),
            args: vec![Arg::Int(Some(account_id))],
        }
    }

    /// Adds an argument; gives its placeholder.
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    /// The conditions every query here shares: the recipient (`$1`), the filter, and the id
    /// bounds (`above` < id < `below`).
    fn scope(&mut self, filter: &Filter, above: Option<i64>, below: Option<i64>) -> String {
        let kinds: Vec<String> = filter
            .kinds
            .iter()
            .map(|k| self.arg(Arg::Kind(*k)))
            .collect();
        let mut out = format!("n.account_id = $1 AND n.type IN ({})", kinds.join(", "));
        if !filter.include_filtered {
            out.push_str(" AND n.filtered = 0");
        }
        if let Some(from) = filter.from_account {
            let p = self.arg(Arg::Int(Some(from)));
            out.push_str(&format!(" AND n.from_account_id = {p}"));
        }
        if let Some(a) = above {
            let p = self.arg(Arg::Int(Some(a)));
            out.push_str(&format!(" AND n.id > {p}"));
        }
        if let Some(b) = below {
            let p = self.arg(Arg::Int(Some(b)));
            out.push_str(&format!(" AND n.id < {p}"));
        }
        out
    }

    /// `IN (...)` over group keys.
    fn keys(&mut self, keys: &[String]) -> String {
        let list: Vec<String> = keys
            .iter()
            .map(|k| self.arg(Arg::Text(k.clone())))
            .collect();
        format!("({})", list.join(", "))
    }
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Kind(v) => q.bind(v),
            };
        }
        q
    }};
}

const COLUMNS: &str = "n.id, n.account_id, n.from_account_id, n.type, n.status_id, \
     n.group_account_id, n.created_at, n.group_key";

/// Up to `limit` notifications between `above` and `below`, newest first (or oldest first
/// when `ascending`), leaving out the groups `met`: the scan a page of groups is gathered
/// from.
#[allow(clippy::too_many_arguments)]
pub async fn scan(
    db: &AnyPool,
    account_id: i64,
    filter: &Filter,
    above: Option<i64>,
    below: Option<i64>,
    met: &[String],
    ascending: bool,
    limit: i64,
) -> Result<Vec<NotificationRow>> {
    let mut sql = Sql::new(account_id);
    let mut scope = sql.scope(filter, above, below);
    if !met.is_empty() {
        let keys = sql.keys(met);
        scope.push_str(&format!(
            " AND (n.group_key IS NULL OR n.group_key NOT IN {keys})"
        ));
    }
    let limit = sql.arg(Arg::Int(Some(limit)));
    let order = if ascending { "ASC" } else { "DESC" };
    sql.text = format!(
        "SELECT {COLUMNS} FROM notifications n WHERE {scope} ORDER BY n.id {order} LIMIT {limit}"
    );
    let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.text));
    bind_all!(q, sql.args).fetch_all(db).await
}

/// How many notifications a group holds between two ids (both included), and its oldest.
#[derive(Debug, Clone, FromRow)]
pub struct GroupCount {
    /// The group.
    pub group_key: String,
    /// How many.
    pub count: i64,
    /// The oldest one's id.
    pub min_id: i64,
}

/// One notification of a group: the newest ones come first.
#[derive(Debug, Clone, FromRow)]
pub struct GroupMember {
    /// The group.
    pub group_key: String,
    /// The notification.
    pub id: i64,
    /// Its sender.
    pub from_account_id: i64,
    /// When.
    pub created_at: i64,
}

/// For each of `keys`: the count and oldest id of its notifications from `from_id` to
/// `to_id` (both included, either open), and its newest `samples` notifications there.
pub async fn groups(
    db: &AnyPool,
    account_id: i64,
    filter: &Filter,
    keys: &[String],
    from_id: Option<i64>,
    to_id: Option<i64>,
    samples: i64,
) -> Result<(Vec<GroupCount>, Vec<GroupMember>)> {
    if keys.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut counts = Sql::new(account_id);
    let scope = counts.scope(
        filter,
        from_id.map(|i| i - 1),
        to_id.map(|i| i.saturating_add(1)),
    );
    let in_keys = counts.keys(keys);
    counts.text = format!(
        "SELECT n.group_key AS group_key, COUNT(*) AS count, MIN(n.id) AS min_id \
         FROM notifications n WHERE {scope} AND n.group_key IN {in_keys} GROUP BY n.group_key"
    );
    let counted: Vec<GroupCount> = bind_all!(
        sqlx::query_as(sqlx::AssertSqlSafe(counts.text)),
        counts.args
    )
    .fetch_all(db)
    .await?;

    let mut members = Sql::new(account_id);
    let scope = members.scope(
        filter,
        from_id.map(|i| i - 1),
        to_id.map(|i| i.saturating_add(1)),
    );
    let in_keys = members.keys(keys);
    let samples = members.arg(Arg::Int(Some(samples)));
    members.text = format!(
        "SELECT group_key, id, from_account_id, created_at FROM (\
         SELECT n.group_key AS group_key, n.id AS id, n.from_account_id AS from_account_id, \
         n.created_at AS created_at, \
         ROW_NUMBER() OVER (PARTITION BY n.group_key ORDER BY n.id DESC) AS place \
         FROM notifications n WHERE {scope} AND n.group_key IN {in_keys}) AS ranked \
         WHERE place <= {samples} ORDER BY group_key, id DESC"
    );
    let sampled: Vec<GroupMember> = bind_all!(
        sqlx::query_as(sqlx::AssertSqlSafe(members.text)),
        members.args
    )
    .fetch_all(db)
    .await?;
    Ok((counted, sampled))
}

/// The newest notification of a group.
pub async fn newest_of(
    db: &AnyPool,
    account_id: i64,
    group_key: &str,
) -> Result<Option<NotificationRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notifications n WHERE n.account_id = $1 AND n.group_key = $2 \
         ORDER BY n.id DESC LIMIT 1"
    )))
    .bind(account_id)
    .bind(group_key)
    .fetch_optional(db)
    .await
}

/// A page of a group's notifications (id, sender), newest first, or oldest first when
/// paging up from `min_id`.
pub async fn senders(
    db: &AnyPool,
    account_id: i64,
    group_key: &str,
    above: Option<i64>,
    below: Option<i64>,
    ascending: bool,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    let order = if ascending { "ASC" } else { "DESC" };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, from_account_id FROM notifications WHERE account_id = $1 AND group_key = $2 \
         AND ($3 IS NULL OR id > $3) AND ($4 IS NULL OR id < $4) ORDER BY id {order} LIMIT $5"
    )))
    .bind(account_id)
    .bind(group_key)
    .bind(above)
    .bind(below)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Deletes every notification of a group; how many there were.
pub async fn dismiss(db: &AnyPool, account_id: i64, group_key: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM notifications WHERE account_id = $1 AND group_key = $2")
        .bind(account_id)
        .bind(group_key)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// How many groups the notifications past the person's `notifications` marker make, the
/// kinds in `grouped` gathered by key, the others each alone.
pub async fn unread_groups(
    db: &AnyPool,
    account_id: i64,
    filter: &Filter,
    grouped: &[NotificationKind],
) -> Result<i64> {
    let mut sql = Sql::new(account_id);
    let scope = sql.scope(filter, None, None);
    // A stored key starts with its kind's name, never with a digit: no key is an id.
    let gather = if grouped.is_empty() {
        "CAST(n.id AS TEXT)".to_string()
    } else {
        let list: Vec<String> = grouped.iter().map(|k| sql.arg(Arg::Kind(*k))).collect();
        format!(
            "COALESCE(CASE WHEN n.type IN ({}) THEN n.group_key END, CAST(n.id AS TEXT))",
            list.join(", ")
        )
    };
    sql.text = format!(
        "SELECT COUNT(DISTINCT {gather}) FROM notifications n WHERE {scope} \
         AND n.id > COALESCE((SELECT m.last_read_id FROM markers m \
         WHERE m.account_id = $1 AND m.timeline = 'notifications'), 0)"
    );
    bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.text)), sql.args)
        .fetch_one(db)
        .await
}
