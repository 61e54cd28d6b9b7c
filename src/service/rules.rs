//! The instance's rules: written, edited, ordered and deleted by administrators (each change
//! recorded in the moderation log), listed for everyone (the sign-up form, the about page,
//! Mastodon's `/api/v1/instance/rules`), and checked at sign-up, where each one is a box the
//! person ticks.

use crate::{
    clock,
    db::{self, accounts::UserRow, rules::RuleRow},
    domain::{
        Invalid,
        modlog::{Action, Target},
        rules::{MAX_RULES, RuleInput},
    },
    error::{AppError, AppResult},
    service::modlog::{self, Entry},
    state::AppState,
};

/// The rules in force, in their order.
pub async fn list(state: &AppState) -> AppResult<Vec<RuleRow>> {
    Ok(db::rules::list(state.pool()).await?)
}

/// Rules by id, deleted ones included (what a report cites), in their order.
pub async fn by_ids(state: &AppState, ids: &[i64]) -> AppResult<Vec<RuleRow>> {
    Ok(db::rules::by_ids(state.pool(), ids).await?)
}

/// One rule in force, for its edit form (administrators only); 404 when there is none.
pub async fn get(state: &AppState, by: &UserRow, id: i64) -> AppResult<RuleRow> {
    modlog::require_admin(by)?;
    db::rules::get(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Adds a rule after the others (administrators only).
pub async fn create(state: &AppState, by: &UserRow, text: &str, hint: &str) -> AppResult<RuleRow> {
    modlog::require_admin(by)?;
    let input = RuleInput::parse(text, hint).map_err(AppError::invalid)?;
    let mut tx = state.db.begin().await?;
    if db::rules::count(&mut *tx).await? >= MAX_RULES {
        return Err(AppError::invalid(vec![
            Invalid::new("text", "error-rules-too-many").arg("max", MAX_RULES),
        ]));
    }
    let row = db::rules::insert(&mut *tx, &input.text, &input.hint, clock::now()).await?;
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::RuleCreated,
            Target::Rule,
            Some(row.id),
            &row.text,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Changes a rule's text and hint (administrators only); 404 for a rule not in force.
pub async fn update(
    state: &AppState,
    by: &UserRow,
    id: i64,
    text: &str,
    hint: &str,
) -> AppResult<()> {
    modlog::require_admin(by)?;
    let input = RuleInput::parse(text, hint).map_err(AppError::invalid)?;
    let mut tx = state.db.begin().await?;
    if !db::rules::update(&mut *tx, id, &input.text, &input.hint, clock::now()).await? {
        return Err(AppError::not_found());
    }
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::RuleUpdated,
            Target::Rule,
            Some(id),
            &input.text,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a rule (administrators only); its row stays for what cites it. 404 for a rule not
/// in force.
pub async fn delete(state: &AppState, by: &UserRow, id: i64) -> AppResult<()> {
    modlog::require_admin(by)?;
    let mut tx = state.db.begin().await?;
    let Some(row) = db::rules::get(&mut *tx, id).await? else {
        return Err(AppError::not_found());
    };
    db::rules::delete(&mut *tx, id, clock::now()).await?;
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::RuleDeleted,
            Target::Rule,
            Some(id),
            &row.text,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Which way a rule moves in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Towards the first.
    Up,
    /// Towards the last.
    Down,
}

impl Direction {
    /// The direction named in a form or a path.
    pub fn parse(s: &str) -> Result<Direction, Invalid> {
        match s {
            "up" => Ok(Direction::Up),
            "down" => Ok(Direction::Down),
            _ => Err(Invalid::new("direction", "error-rule-direction")),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// Moves a rule one place (administrators only). The rules are numbered again 1, 2, 3... in
/// the new order in one transaction, so equal positions (two rules added at once by two
/// processes) cannot stall a move. Moving the first up or the last down changes nothing.
pub async fn move_rule(state: &AppState, by: &UserRow, id: i64, dir: Direction) -> AppResult<()> {
    modlog::require_admin(by)?;
    let mut tx = state.db.begin().await?;
    let mut rules = db::rules::list(&mut *tx).await?;
    let Some(at) = rules.iter().position(|r| r.id == id) else {
        return Err(AppError::not_found());
    };
    let other = match dir {
        Direction::Up if at > 0 => at - 1,
        Direction::Down if at + 1 < rules.len() => at + 1,
        _ => return Ok(()),
    };
    rules.swap(at, other);
    let now = clock::now();
    for (i, r) in rules.iter().enumerate() {
        let position = i as i64 + 1;
        if r.position != position {
            db::rules::set_position(&mut *tx, r.id, position, now).await?;
        }
    }
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::RuleMoved,
            Target::Rule,
            Some(id),
            &rules[other].text,
        )
        .with(&[("direction", dir.as_str().to_string())]),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks that a sign-up ticked every rule in force: `ticked` holds the ids of the ticked
/// boxes. A rule added while the form was open is not ticked, so it is refused too, and the
/// form shows it.
pub async fn check_ticked(state: &AppState, ticked: &[i64]) -> AppResult<Result<(), Invalid>> {
    let rules = db::rules::list(state.pool()).await?;
    let missing = rules.iter().filter(|r| !ticked.contains(&r.id)).count();
    Ok(if missing == 0 {
        Ok(())
    } else {
        Err(Invalid::new("rules", "error-rules-not-accepted").arg("count", missing))
    })
}
