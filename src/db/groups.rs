//! `groups`, `group_members`, `group_posts` and `group_audit`: what a group is, who belongs
//! to it, where its posts appear, and who exported its member list.

use super::{Result, statuses::Page, statuses::StatusRow};
use crate::domain::{Circle, FollowState, GroupKind, JoinMode, MemberRole, MembershipState};
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// What coopol knows of a group besides its actor (`accounts` row of the same id).
#[derive(Debug, Clone, FromRow)]
pub struct GroupRow {
    /// The group's account id.
    pub account_id: i64,
    /// Section, federation, theme...
    pub kind: GroupKind,
    /// How people join.
    pub join_mode: JoinMode,
    /// 1 when followers (sympathizers) may post to the group.
    pub sympathizers_can_post: i64,
    /// Postcode of a section.
    pub postcode: Option<String>,
    /// Commune of a section.
    pub commune: Option<String>,
    /// Département code.
    pub departement: Option<String>,
    /// The members collection of a remote group.
    pub members_url: Option<String>,
    /// Who created it (local groups).
    pub created_by: Option<i64>,
    /// When it was created or first seen.
    pub created_at: i64,
}

const GROUP_COLUMNS: &str = "account_id, kind, join_mode, sympathizers_can_post, postcode, \
    commune, departement, members_url, created_by, created_at";

/// A group to record.
pub struct NewGroup<'a> {
    /// Its account.
    pub account_id: i64,
    /// Kind.
    pub kind: GroupKind,
    /// How people join.
    pub join_mode: JoinMode,
    /// Whether sympathizers may post.
    pub sympathizers_can_post: bool,
    /// Place.
    pub postcode: Option<&'a str>,
    /// Place.
    pub commune: Option<&'a str>,
    /// Place.
    pub departement: Option<&'a str>,
    /// Lower-case text searched by the directory.
    pub search_text: &'a str,
    /// A remote group's members collection.
    pub members_url: Option<&'a str>,
    /// Creator.
    pub created_by: Option<i64>,
    /// Now.
    pub now: i64,
}

/// Inserts a local group's actor (a `Group` account with keys); returns its id. `Ok(None)` when
/// the name is taken.
#[allow(clippy::too_many_arguments)]
pub async fn insert_group_account(
    conn: &mut sqlx::AnyConnection,
    username: &str,
    uri: &str,
    display_name: &str,
    note_source: &str,
    note_html: &str,
    public_key_pem: &str,
    private_key_pem: &str,
    now: i64,
) -> Result<Option<i64>> {
    let result = sqlx::query_scalar(
        "INSERT INTO accounts (username, domain, handle_key, actor_type, uri, display_name, \
         note_source, note_html, public_key_pem, private_key_pem, created_at, updated_at) \
         VALUES ($1, NULL, $2, 'Group', $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(username)
    .bind(username.to_lowercase())
    .bind(uri)
    .bind(display_name)
    .bind(note_source)
    .bind(note_html)
    .bind(public_key_pem)
    .bind(private_key_pem)
    .bind(now)
    .fetch_one(&mut *conn)
    .await;
    match result {
        Ok(id) => Ok(Some(id)),
        Err(e) if super::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Records (or, for a remote group seen again, refreshes) what a group is.
pub async fn upsert(db: impl AnyExecutor<'_>, g: &NewGroup<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO groups (account_id, kind, join_mode, sympathizers_can_post, postcode, \
         commune, departement, search_text, members_url, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (account_id) DO UPDATE SET kind = excluded.kind, \
         join_mode = excluded.join_mode, sympathizers_can_post = excluded.sympathizers_can_post, \
         postcode = excluded.postcode, commune = excluded.commune, \
         departement = excluded.departement, search_text = excluded.search_text, \
         members_url = excluded.members_url",
    )
    .bind(g.account_id)
    .bind(g.kind)
    .bind(g.join_mode)
    .bind(super::flag(g.sympathizers_can_post))
    .bind(g.postcode)
    .bind(g.commune)
    .bind(g.departement)
    .bind(g.search_text)
    .bind(g.members_url)
    .bind(g.created_by)
    .bind(g.now)
    .execute(db)
    .await?;
    Ok(())
}

/// A group by its account id.
pub async fn by_id(db: impl AnyExecutor<'_>, account_id: i64) -> Result<Option<GroupRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {GROUP_COLUMNS} FROM groups WHERE account_id = $1"
    )))
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Groups by account ids, in no particular order.
pub async fn by_ids(db: &AnyPool, ids: &[i64]) -> Result<Vec<GroupRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM groups WHERE account_id IN ({})",
        super::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Changes a local group's settings.
pub async fn update_settings(
    db: &AnyPool,
    account_id: i64,
    join_mode: JoinMode,
    sympathizers_can_post: bool,
) -> Result<()> {
    sqlx::query(
        "UPDATE groups SET join_mode = $2, sympathizers_can_post = $3 WHERE account_id = $1",
    )
    .bind(account_id)
    .bind(join_mode)
    .bind(super::flag(sympathizers_can_post))
    .execute(db)
    .await?;
    Ok(())
}

/// A directory search.
#[derive(Debug, Clone, Default)]
pub struct Search<'a> {
    /// Words in the name, display name or commune (lower case).
    pub text: Option<&'a str>,
    /// Kind.
    pub kind: Option<GroupKind>,
    /// Exact postcode.
    pub postcode: Option<&'a str>,
    /// Département code.
    pub departement: Option<&'a str>,
    /// Only groups that are discoverable.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// Groups matching a search, official ones first (`governance::OFFICIAL_CONDITION`), then
/// local ones, then by name: account ids.
pub async fn search(db: &AnyPool, s: &Search<'_>) -> Result<Vec<i64>> {
    let pattern = s.text.map(|t| {
        let escaped = t
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT g.account_id FROM groups g JOIN accounts a ON a.id = g.account_id \
         WHERE a.deleted_at IS NULL AND a.discoverable = 1 \
         AND ($1 IS NULL OR g.search_text LIKE $1 ESCAPE '\\') \
         AND ($2 IS NULL OR g.kind = $2) \
         AND ($3 IS NULL OR g.postcode = $3) \
         AND ($4 IS NULL OR g.departement = $4) \
         ORDER BY CASE WHEN {} THEN 0 ELSE 1 END, \
         CASE WHEN a.domain IS NULL THEN 0 ELSE 1 END, a.handle_key \
         LIMIT $5 OFFSET $6",
        super::governance::OFFICIAL_CONDITION
    )))
    .bind(pattern)
    .bind(s.kind)
    .bind(s.postcode)
    .bind(s.departement)
    .bind(s.limit)
    .bind(s.offset)
    .fetch_all(db)
    .await
}

/// A membership.
#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    /// Its id.
    pub id: i64,
    /// The group.
    pub group_id: i64,
    /// The member.
    pub account_id: i64,
    /// Their powers.
    pub role: MemberRole,
    /// Where the membership stands.
    pub state: MembershipState,
    /// The message sent with a request.
    pub message: String,
    /// The Join activity's id.
    pub uri: Option<String>,
    /// 1 when listed to other members.
    pub listed: i64,
    /// When requested or invited.
    pub created_at: i64,
    /// When accepted.
    pub accepted_at: Option<i64>,
}

const MEMBER_COLUMNS: &str =
    "id, group_id, account_id, role, state, message, uri, listed, created_at, accepted_at";

/// One account's membership of a group, whatever its state.
pub async fn member(
    db: impl AnyExecutor<'_>,
    group_id: i64,
    account_id: i64,
) -> Result<Option<MemberRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} FROM group_members WHERE group_id = $1 AND account_id = $2"
    )))
    .bind(group_id)
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// A membership by the id of its Join activity.
pub async fn member_by_uri(db: &AnyPool, uri: &str) -> Result<Option<MemberRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} FROM group_members WHERE uri = $1"
    )))
    .bind(uri)
    .fetch_optional(db)
    .await
}

/// A membership by id.
pub async fn member_by_id(db: &AnyPool, id: i64) -> Result<Option<MemberRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} FROM group_members WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// A new membership (or request, or invitation).
pub struct NewMember<'a> {
    /// Group.
    pub group_id: i64,
    /// Member.
    pub account_id: i64,
    /// Role.
    pub role: MemberRole,
    /// State.
    pub state: MembershipState,
    /// Message.
    pub message: &'a str,
    /// Join activity id.
    pub uri: Option<&'a str>,
    /// Listed to other members.
    pub listed: bool,
    /// Now.
    pub now: i64,
}

/// Records a membership, replacing a previous one of the same pair (a request after leaving).
pub async fn upsert_member(conn: &mut sqlx::AnyConnection, m: &NewMember<'_>) -> Result<i64> {
    let accepted_at = (m.state == MembershipState::Accepted).then_some(m.now);
    sqlx::query_scalar(
        "INSERT INTO group_members (group_id, account_id, role, state, message, uri, listed, \
         created_at, accepted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (group_id, account_id) DO UPDATE SET role = excluded.role, \
         state = excluded.state, message = excluded.message, uri = excluded.uri, \
         listed = excluded.listed, created_at = excluded.created_at, \
         accepted_at = excluded.accepted_at, shown_on_profile = 0 RETURNING id",
    )
    .bind(m.group_id)
    .bind(m.account_id)
    .bind(m.role)
    .bind(m.state)
    .bind(m.message)
    .bind(m.uri)
    .bind(super::flag(m.listed))
    .bind(m.now)
    .bind(accepted_at)
    .fetch_one(&mut *conn)
    .await
}

/// Accepts a request or an invitation.
pub async fn accept_member(conn: &mut sqlx::AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE group_members SET state = 'accepted', accepted_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Changes a member's role.
pub async fn set_role(conn: &mut sqlx::AnyConnection, id: i64, role: MemberRole) -> Result<()> {
    sqlx::query("UPDATE group_members SET role = $2 WHERE id = $1")
        .bind(id)
        .bind(role)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether a member appears in the list other members see.
pub async fn set_listed(db: &AnyPool, id: i64, listed: bool) -> Result<()> {
    sqlx::query("UPDATE group_members SET listed = $2 WHERE id = $1")
        .bind(id)
        .bind(super::flag(listed))
        .execute(db)
        .await?;
    Ok(())
}

/// Bans: the row stays, so that the person cannot ask again.
pub async fn ban_member(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE group_members SET state = 'banned', role = 'member', accepted_at = NULL, \
         listed = 0 WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes a membership (leaving, a refused request, a removal).
pub async fn delete_member(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM group_members WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A group's memberships in a state, oldest first; `listed_only` keeps those who chose to be
/// listed. Paged by membership id.
pub async fn members(
    db: &AnyPool,
    group_id: i64,
    state: MembershipState,
    listed_only: bool,
    after_id: i64,
    limit: i64,
) -> Result<Vec<MemberRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} FROM group_members WHERE group_id = $1 AND state = $2 \
         AND ($3 = 0 OR listed = 1) AND id > $4 ORDER BY id LIMIT $5"
    )))
    .bind(group_id)
    .bind(state)
    .bind(super::flag(listed_only))
    .bind(after_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// How many administrators a group has.
pub async fn administrator_count(db: &AnyPool, group_id: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND state = 'accepted' \
         AND role = 'administrator'",
    )
    .bind(group_id)
    .fetch_one(db)
    .await
}

/// How many accepted members a group has.
pub async fn member_count(db: impl AnyExecutor<'_>, group_id: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND state = 'accepted'",
    )
    .bind(group_id)
    .fetch_one(db)
    .await
}

/// Accepted members and moderators with at least `role` powers, for notifications.
pub async fn local_staff(conn: &mut sqlx::AnyConnection, group_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT m.account_id FROM group_members m JOIN accounts a ON a.id = m.account_id \
         WHERE m.group_id = $1 AND m.state = 'accepted' \
         AND m.role IN ('administrator', 'moderator') AND a.domain IS NULL",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await
}

/// Local accepted members of a group: whose home timeline gets its posts.
pub async fn local_members(conn: &mut sqlx::AnyConnection, group_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT m.account_id FROM group_members m JOIN accounts a ON a.id = m.account_id \
         WHERE m.group_id = $1 AND m.state = 'accepted' AND a.domain IS NULL",
    )
    .bind(group_id)
    .fetch_all(&mut *conn)
    .await
}

/// The distinct inboxes (shared when possible) of a group's remote accepted members.
pub async fn remote_member_inboxes(db: &AnyPool, group_id: i64) -> Result<Vec<String>> {
    let rows: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(a.shared_inbox_url, a.inbox_url) FROM group_members m \
         JOIN accounts a ON a.id = m.account_id \
         WHERE m.group_id = $1 AND m.state = 'accepted' AND a.domain IS NOT NULL \
         AND a.deleted_at IS NULL",
    )
    .bind(group_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// The distinct inboxes of a group's remote affiliated sections: groups whose follow of it its
/// administrators approved as an affiliation (a follow between groups alone is not one).
pub async fn remote_group_follower_inboxes(db: &AnyPool, group_id: i64) -> Result<Vec<String>> {
    let rows: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(a.shared_inbox_url, a.inbox_url) FROM follows f \
         JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'accepted' AND f.affiliation = 1 \
         AND a.domain IS NOT NULL AND a.actor_type = 'Group' AND a.deleted_at IS NULL",
    )
    .bind(group_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().flatten().collect())
}

/// Whether a domain has an accepted member of a group (a server with a member may fetch the
/// group's members-only posts for them).
pub async fn domain_has_member(db: &AnyPool, group_id: i64, domain: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_members m JOIN accounts a ON a.id = m.account_id \
         WHERE m.group_id = $1 AND m.state = 'accepted' AND a.domain = $2",
    )
    .bind(group_id)
    .bind(domain)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// The groups an account belongs to (accepted), newest membership first: group ids.
pub async fn groups_of(db: &AnyPool, account_id: i64) -> Result<Vec<MemberRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MEMBER_COLUMNS} FROM group_members WHERE account_id = $1 \
         AND state IN ('accepted', 'pending', 'invited') ORDER BY id DESC LIMIT 200"
    )))
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Groups affiliated with a group (accepted followers of type Group whose affiliation was
/// approved): its sections.
pub async fn affiliated(db: impl AnyExecutor<'_>, group_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'accepted' AND f.affiliation = 1 \
         AND a.actor_type = 'Group' AND a.deleted_at IS NULL ORDER BY a.handle_key",
    )
    .bind(group_id)
    .fetch_all(db)
    .await
}

/// The groups a group is affiliated with or asked to be (the federations a section belongs to
/// or asked to join): group ids with `accepted` or `pending`.
pub async fn federations_of(db: &AnyPool, group_id: i64) -> Result<Vec<(i64, FollowState)>> {
    sqlx::query_as(
        "SELECT f.target_account_id, f.state FROM follows f \
         JOIN accounts a ON a.id = f.target_account_id \
         WHERE f.account_id = $1 AND f.affiliation = 1 AND a.actor_type = 'Group' \
         AND a.deleted_at IS NULL \
         ORDER BY a.handle_key",
    )
    .bind(group_id)
    .fetch_all(db)
    .await
}

/// The local groups affiliated with a group (a federation elsewhere, usually): they pass its
/// members-only posts on to their own members.
pub async fn local_affiliated_sections(
    db: impl AnyExecutor<'_>,
    group_id: i64,
) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'accepted' AND f.affiliation = 1 \
         AND a.domain IS NULL AND a.actor_type = 'Group' AND a.deleted_at IS NULL",
    )
    .bind(group_id)
    .fetch_all(db)
    .await
}

/// A local group's approved affiliated sections on other servers, as (account id, actor id),
/// oldest affiliation first, at most `limit`: the servers asked whether a domain hosts one of
/// their members (`federation::affiliation`).
pub async fn remote_affiliated_sections(
    db: &AnyPool,
    group_id: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT a.id, a.uri FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'accepted' AND f.affiliation = 1 \
         AND a.domain IS NOT NULL AND a.actor_type = 'Group' AND a.deleted_at IS NULL \
         ORDER BY f.id LIMIT $2",
    )
    .bind(group_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Whether a domain hosts a group whose affiliation with `group` (a local one) was approved:
/// the group delivers its members-only posts there anyway (rule T11).
pub async fn domain_has_affiliated_section(
    db: &AnyPool,
    group_id: i64,
    domain: &str,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'accepted' AND f.affiliation = 1 \
         AND a.domain = $2 AND a.actor_type = 'Group' AND a.deleted_at IS NULL",
    )
    .bind(group_id)
    .bind(domain)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Whether a (local) section's affiliation with a federation of `domain` (a group of kind
/// federation) was asked by its administrators and accepted by that federation: the
/// section's follow of it, marked as an affiliation and accepted.
pub async fn affiliated_with_federation_on(
    db: &AnyPool,
    section_id: i64,
    domain: &str,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM follows f JOIN accounts a ON a.id = f.target_account_id \
         JOIN groups g ON g.account_id = a.id \
         WHERE f.account_id = $1 AND f.state = 'accepted' AND f.affiliation = 1 \
         AND a.domain = $2 AND a.actor_type = 'Group' AND a.deleted_at IS NULL \
         AND g.kind = $3",
    )
    .bind(section_id)
    .bind(domain)
    .bind(crate::domain::GroupKind::Federation.as_str())
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Groups asking to affiliate (pending follows of type Group).
pub async fn affiliation_requests(db: &AnyPool, group_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT f.account_id FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'pending' AND a.actor_type = 'Group' \
         ORDER BY f.id",
    )
    .bind(group_id)
    .fetch_all(db)
    .await
}

/// Puts a post in a group's timeline, for a circle.
pub async fn add_post(
    conn: &mut sqlx::AnyConnection,
    group_id: i64,
    status_id: i64,
    circle: Circle,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO group_posts (group_id, status_id, circle) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(group_id)
    .bind(status_id)
    .bind(circle)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Takes a post out of a group's timeline and circles; whether it was there.
pub async fn remove_post(
    conn: &mut sqlx::AnyConnection,
    group_id: i64,
    status_id: i64,
) -> Result<bool> {
    let done = sqlx::query("DELETE FROM group_posts WHERE group_id = $1 AND status_id = $2")
        .bind(group_id)
        .bind(status_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The groups a post appears in, with their circle.
pub async fn post_groups(db: impl AnyExecutor<'_>, status_id: i64) -> Result<Vec<(i64, Circle)>> {
    sqlx::query_as("SELECT group_id, circle FROM group_posts WHERE status_id = $1")
        .bind(status_id)
        .fetch_all(db)
        .await
}

/// The local groups that placed a post, with the circle of each.
pub async fn local_post_groups(
    db: impl AnyExecutor<'_>,
    status_id: i64,
) -> Result<Vec<(i64, Circle)>> {
    sqlx::query_as(
        "SELECT gp.group_id, gp.circle FROM group_posts gp JOIN accounts a ON a.id = gp.group_id \
         WHERE gp.status_id = $1 AND a.domain IS NULL",
    )
    .bind(status_id)
    .fetch_all(db)
    .await
}

/// Whether `viewer` may read a group post: it appears in a group where it is public, or whose
/// members include the viewer, or (sympathizers circle) whose followers do.
pub async fn can_read(db: &AnyPool, status_id: i64, viewer: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_posts gp WHERE gp.status_id = $1 AND (gp.circle = 'public' \
         OR EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = gp.group_id \
                    AND m.account_id = $2 AND m.state = 'accepted') \
         OR (gp.circle = 'sympathizers' AND EXISTS (SELECT 1 FROM follows f \
             WHERE f.target_account_id = gp.group_id AND f.account_id = $2 \
             AND f.state = 'accepted')))",
    )
    .bind(status_id)
    .bind(viewer)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// A group's timeline: the threads started in it (not replies) in the circles up to `level`
/// (0 public, 1 sympathizers, 2 members), optionally one circle only.
pub async fn timeline(
    db: &AnyPool,
    group_id: i64,
    level: i64,
    only: Option<&str>,
    page: Page,
) -> Result<Vec<StatusRow>> {
    let (lower, order) = page.bounds();
    // Paging and ordering by `gp.status_id` (equal to `s.id`) lets the databases walk the
    // (group_id, status_id) key and stop after a page; ordering by `s.id` made SQLite sort
    // every post of the group (100 ms for 100,000 posts).
    let sql = format!(
        concat!(
            "SELECT ",
            crate::status_columns!(),
            " FROM group_posts gp JOIN statuses s ON s.id = gp.status_id \
             WHERE gp.group_id = $1 AND s.in_reply_to_uri IS NULL AND s.reblog_of_id IS NULL \
             AND (gp.circle = 'public' OR ($2 >= 1 AND gp.circle = 'sympathizers') \
                  OR ($2 >= 2 AND gp.circle = 'members')) \
             AND ($3 IS NULL OR gp.circle = $3) \
             AND ($4 IS NULL OR gp.status_id < $4) AND ($5 IS NULL OR gp.status_id > $5) \
             ORDER BY gp.status_id {order} LIMIT $6"
        ),
        order = order
    );
    let mut rows: Vec<StatusRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(group_id)
        .bind(level)
        .bind(only)
        .bind(page.max_id)
        .bind(lower)
        .bind(page.limit)
        .fetch_all(db)
        .await?;
    if order == "ASC" {
        rows.reverse();
    }
    Ok(rows)
}

/// The condition of a group's outbox (`gp`, its placements; `s`, the post): the threads
/// started in its public circle (no answers, no boosts), never a mission's shift.
fn outbox_condition() -> String {
    format!(
        "gp.group_id = $1 AND gp.circle = 'public' AND s.in_reply_to_uri IS NULL \
         AND s.reblog_of_id IS NULL AND {}",
        super::events::NOT_SHIFT
    )
}

/// A page of a group's outbox, newest first, below `max_id`: walks the (group_id, status_id)
/// key as [`timeline`] does, so a page costs `limit` rows whatever the group's size.
pub async fn outbox(
    db: &AnyPool,
    group_id: i64,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<StatusRow>> {
    let sql = format!(
        concat!(
            "SELECT ",
            crate::status_columns!(),
            " FROM group_posts gp JOIN statuses s ON s.id = gp.status_id WHERE {cond} \
             AND ($2 IS NULL OR gp.status_id < $2) ORDER BY gp.status_id DESC LIMIT $3"
        ),
        cond = outbox_condition()
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(group_id)
        .bind(max_id)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// How many posts a group's outbox lists (its `totalItems`).
pub async fn outbox_count(db: &AnyPool, group_id: i64) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM group_posts gp JOIN statuses s ON s.id = gp.status_id WHERE {}",
        outbox_condition()
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(group_id)
        .fetch_one(db)
        .await
}

/// The actor ids of a group's administrators and moderators who show the group on their
/// profile, administrators first (docs/SECURITY.md, rule P12): nobody for a group joined by
/// invitation only. At most `limit`.
pub async fn public_staff(db: &AnyPool, group_id: i64, limit: i64) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT a.uri FROM group_members m JOIN groups g ON g.account_id = m.group_id \
         JOIN accounts a ON a.id = m.account_id \
         WHERE m.group_id = $1 AND m.state = 'accepted' AND m.shown_on_profile = 1 \
         AND m.role IN ('administrator', 'moderator') AND g.join_mode <> 'invite' \
         AND a.deleted_at IS NULL \
         ORDER BY CASE m.role WHEN 'administrator' THEN 0 ELSE 1 END, m.accepted_at, m.id \
         LIMIT $2",
    )
    .bind(group_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Locks or unlocks a thread.
pub async fn set_thread_locked(db: &AnyPool, status_id: i64, locked: bool) -> Result<()> {
    sqlx::query("UPDATE statuses SET thread_locked = $2 WHERE id = $1")
        .bind(status_id)
        .bind(super::flag(locked))
        .execute(db)
        .await?;
    Ok(())
}

/// An audit log entry.
#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    /// Its id.
    pub id: i64,
    /// Who did it.
    pub account_id: Option<i64>,
    /// What (`members_export`, ...).
    pub action: String,
    /// Details.
    pub detail: String,
    /// When.
    pub created_at: i64,
}

/// Records an action in a group's audit log.
pub async fn audit(
    db: impl AnyExecutor<'_>,
    group_id: i64,
    account_id: i64,
    action: &str,
    detail: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO group_audit (group_id, account_id, action, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(group_id)
    .bind(account_id)
    .bind(action)
    .bind(detail)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// A group's audit log, newest first.
pub async fn audit_log(db: &AnyPool, group_id: i64, limit: i64) -> Result<Vec<AuditRow>> {
    sqlx::query_as(
        "SELECT id, account_id, action, detail, created_at FROM group_audit \
         WHERE group_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(group_id)
    .bind(limit)
    .fetch_all(db)
    .await
}
