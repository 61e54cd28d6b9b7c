//! Threads: a post's ancestors and descendants as a viewer may see them.

use super::{can_see, visible};
use crate::{
    db::{self, statuses::StatusRow},
    error::AppResult,
    state::AppState,
};

/// A post's thread as `viewer` may see it: ancestors (oldest first) and descendants (in
/// reading order), each bounded.
pub async fn context(
    state: &AppState,
    viewer: Option<i64>,
    id: i64,
) -> AppResult<(Vec<StatusRow>, Vec<StatusRow>)> {
    let status = visible(state, viewer, id).await?;
    let mut ancestors = Vec::new();
    let mut parent = status.in_reply_to_id;
    while let Some(pid) = parent {
        if ancestors.len() >= 40 {
            break;
        }
        let Some(p) = db::statuses::by_id(state.pool(), pid).await? else {
            break;
        };
        parent = p.in_reply_to_id;
        if can_see(state, viewer, &p).await? {
            ancestors.push(p);
        } else {
            break;
        }
    }
    ancestors.reverse();
    let mut descendants = Vec::new();
    let mut stack = vec![status.id];
    while let Some(current) = stack.pop() {
        if descendants.len() >= 200 {
            break;
        }
        // Only through what the viewer may see: an answer in a closed circle hides the
        // answers to it too (they would name who wrote in it).
        let mut children = Vec::new();
        for child in db::statuses::replies(state.pool(), current).await? {
            if can_see(state, viewer, &child).await? {
                children.push(child);
            }
        }
        // Depth first, oldest first: the reading order of a thread.
        for child in children.iter().rev() {
            stack.push(child.id);
        }
        descendants.extend(children);
    }
    descendants.sort_by_key(|s| s.id);
    Ok((ancestors, descendants))
}
