//! `preview_cards` and `status_cards`: the preview of the page a post's first link leads to.

use super::Result;
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// A preview card as stored.
#[derive(Debug, Clone, FromRow)]
pub struct CardRow {
    pub id: i64,
    pub url: String,
    pub state: String,
    pub title: String,
    pub description: String,
    pub provider_name: String,
    pub image_url: Option<String>,
    pub image_media_id: Option<i64>,
}

/// Records the card of a post's link (pending when the address is new) and links the post to
/// it, replacing the post's previous card.
pub async fn attach(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    url: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO preview_cards (url, state, created_at) VALUES ($1, 'pending', $2) \
         ON CONFLICT (url) DO NOTHING",
    )
    .bind(url)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let card_id: i64 = sqlx::query_scalar("SELECT id FROM preview_cards WHERE url = $1")
        .bind(url)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO status_cards (status_id, card_id) VALUES ($1, $2) \
         ON CONFLICT (status_id) DO UPDATE SET card_id = excluded.card_id",
    )
    .bind(status_id)
    .bind(card_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes a post's card (its link went).
pub async fn detach(db: impl AnyExecutor<'_>, status_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM status_cards WHERE status_id = $1")
        .bind(status_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Claims cards to fetch: pending, not claimed by a live lease; gives (id, url).
pub async fn claim(
    db: &AnyPool,
    process: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    // The outer conditions repeat the inner ones: on PostgreSQL, a row another process
    // claimed meanwhile is checked again against them and left out.
    sqlx::query_as(
        "UPDATE preview_cards SET locked_by = $1, locked_until = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM preview_cards WHERE state = 'pending' \
                      AND (locked_until IS NULL OR locked_until < $3) ORDER BY state, id LIMIT $4) \
           AND state = 'pending' AND (locked_until IS NULL OR locked_until < $3) \
           AND attempts < 3 \
         RETURNING id, url",
    )
    .bind(process)
    .bind(lease_until)
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// What a page says of itself.
pub struct Found<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub provider_name: &'a str,
    pub image_url: Option<&'a str>,
    pub image_media_id: Option<i64>,
}

/// Records a fetched card.
pub async fn set_ready(db: &AnyPool, id: i64, found: &Found<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE preview_cards SET state = 'ready', title = $2, description = $3, \
         provider_name = $4, image_url = $5, image_media_id = $6, fetched_at = $7, \
         locked_by = NULL, locked_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(found.title)
    .bind(found.description)
    .bind(found.provider_name)
    .bind(found.image_url)
    .bind(found.image_media_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Records a card that cannot be made (no page, no title, not HTML), or gives it back for a
/// later attempt while `retry` is true.
pub async fn set_failed(db: &AnyPool, id: i64, retry: bool, now: i64) -> Result<()> {
    let sql = if retry {
        "UPDATE preview_cards SET locked_by = NULL, locked_until = $2 + 60000000 WHERE id = $1"
    } else {
        "UPDATE preview_cards SET state = 'failed', fetched_at = $2, locked_by = NULL, \
         locked_until = NULL WHERE id = $1"
    };
    sqlx::query(sql).bind(id).bind(now).execute(db).await?;
    Ok(())
}

/// The ready cards of a page of posts: (post id, card).
pub async fn of_statuses(db: &AnyPool, status_ids: &[i64]) -> Result<Vec<(i64, CardRow)>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(FromRow)]
    struct Row {
        status_id: i64,
        #[sqlx(flatten)]
        card: CardRow,
    }
    let mut out = Vec::new();
    for chunk in super::padded_chunks(status_ids, super::INSERT_CHUNK) {
        let sql = format!(
            "SELECT sc.status_id, c.id, c.url, c.state, c.title, c.description, \
             c.provider_name, c.image_url, c.image_media_id \
             FROM status_cards sc JOIN preview_cards c ON c.id = sc.card_id \
             WHERE sc.status_id IN ({}) AND c.state = 'ready'",
            super::placeholders(1, chunk.len())
        );
        let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
        for id in chunk.iter() {
            query = query.bind(*id);
        }
        out.extend(
            query
                .fetch_all(db)
                .await?
                .into_iter()
                .map(|r| (r.status_id, r.card)),
        );
    }
    out.sort_by_key(|(s, _)| *s);
    out.dedup_by_key(|(s, _)| *s);
    Ok(out)
}
