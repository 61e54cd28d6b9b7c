//! What the landing page shows visitors: this instance's upcoming public events and
//! missions, near a place when one is given. Never a closed circle's event (the search is
//! made as a visitor, and only `public` posts are kept), never another server's.

use crate::{
    db,
    domain::Visibility,
    error::AppResult,
    service::events::{self, Event},
    state::AppState,
};

/// At most `want` upcoming public events organized here (`missions`: missions only, else
/// the other events), soonest first, in `departement` when given.
pub async fn upcoming(
    state: &AppState,
    departement: Option<String>,
    missions: bool,
    want: usize,
) -> AppResult<Vec<Event>> {
    let mut query = db::events::Search {
        from: Some(crate::clock::now()),
        departement,
        missions: Some(missions),
        ..Default::default()
    };
    let mut found = Vec::new();
    // A few pages at most: events of other servers or unlisted ones are skipped.
    for _ in 0..5 {
        let (page, next) = events::search_page(state, None, query.clone(), want).await?;
        found.extend(
            page.into_iter()
                .filter(|e| e.is_local() && e.status.visibility == Visibility::Public),
        );
        match next {
            Some(offset) if found.len() < want => query.offset = offset,
            _ => break,
        }
    }
    found.truncate(want);
    Ok(found)
}
