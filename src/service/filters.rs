//! Filters (Mastodon's filters v2, and v1 as Mastodon maps it: one keyword is one v1 filter):
//! a person's keywords and posts to warn about, blur or hide, in the contexts they choose,
//! until they expire. [`Active`] is what a request applies: the person's filters in force for
//! one context, their keywords compiled once into one pattern per filter, so a page of posts
//! costs a fixed number of queries and one pass of each pattern over each post's text.

use crate::{
    clock,
    db::{
        self,
        filters::{FilterRow, FilterStatusRow, KeywordRow},
    },
    domain::{
        Invalid,
        curation::{self, FilterAction, FilterContext},
    },
    error::{AppError, AppResult},
    state::AppState,
};
use std::{collections::HashMap, time::Duration};

/// A filter with its keywords and posts.
#[derive(Debug, Clone)]
pub struct Filter {
    /// The filter.
    pub row: FilterRow,
    /// Its keywords.
    pub keywords: Vec<KeywordRow>,
    /// Its posts.
    pub statuses: Vec<FilterStatusRow>,
}

/// A keyword as an app sends it in `keywords_attributes[]`.
#[derive(Debug, Default, Clone)]
pub struct KeywordInput {
    /// The keyword to change or delete; none: a new one.
    pub id: Option<i64>,
    /// Its text.
    pub keyword: Option<String>,
    /// Matched at word boundaries only.
    pub whole_word: Option<bool>,
    /// `_destroy`: delete it.
    pub destroy: bool,
}

/// A filter as typed. `None` keeps what the filter has (on an update).
#[derive(Debug, Default, Clone)]
pub struct FilterInput {
    /// Its name.
    pub title: Option<String>,
    /// Where it applies.
    pub context: Option<Vec<String>>,
    /// warn, hide or blur.
    pub action: Option<String>,
    /// `expires_in` given: `Some(None)` for no end (an empty value), else seconds from now.
    pub expires_in: Option<Option<String>>,
    /// Keywords to add, change or delete.
    pub keywords: Vec<KeywordInput>,
}

fn expiry(raw: &Option<String>) -> Result<Option<i64>, Invalid> {
    Ok(curation::seconds("expires_in", raw.as_deref())?
        .filter(|s| *s > 0)
        .map(|s| clock::after(Duration::from_secs(s))))
}

/// Checks a filter's fields onto `row`; the refusals, all at once.
fn check(row: &mut FilterRow, input: &FilterInput, creating: bool) -> Vec<Invalid> {
    let mut refused = Vec::new();
    match (&input.title, creating) {
        (Some(t), _) => match curation::title("title", t) {
            Ok(t) => row.title = t,
            Err(e) => refused.push(e),
        },
        (None, true) => refused.push(Invalid::new("title", "error-required")),
        (None, false) => {}
    }
    match (&input.context, creating) {
        (Some(c), _) => match FilterContext::parse_all(c) {
            Ok(c) => row.context = FilterContext::store(&c),
            Err(e) => refused.push(e),
        },
        (None, true) => refused.push(Invalid::new("context", "error-filter-context-missing")),
        (None, false) => {}
    }
    if let Some(a) = &input.action {
        match FilterAction::parse(a) {
            Ok(a) => row.action = a.as_str().to_string(),
            Err(e) => refused.push(e),
        }
    }
    if let Some(e) = &input.expires_in {
        match expiry(e) {
            Ok(at) => row.expires_at = at,
            Err(e) => refused.push(e),
        }
    }
    for k in &input.keywords {
        if k.destroy {
            continue;
        }
        match (&k.keyword, k.id) {
            (Some(text), _) => {
                if let Err(e) = curation::keyword(text) {
                    refused.push(e);
                }
            }
            (None, None) => refused.push(Invalid::new("keyword", "error-required")),
            (None, Some(_)) => {}
        }
    }
    refused
}

async fn load(state: &AppState, me: i64, row: FilterRow) -> AppResult<Filter> {
    let keywords = db::filters::keywords(state.pool(), me, Some(row.id)).await?;
    let statuses = db::filters::statuses(state.pool(), me, Some(row.id)).await?;
    Ok(Filter {
        row,
        keywords,
        statuses,
    })
}

/// One of `me`'s filters, or 404.
pub async fn get(state: &AppState, me: i64, id: i64) -> AppResult<Filter> {
    let row = db::filters::get(state.pool(), me, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    load(state, me, row).await
}

/// All of `me`'s filters (expired ones too, as Mastodon lists them), with their keywords and
/// posts: three queries.
pub async fn all(state: &AppState, me: i64) -> AppResult<Vec<Filter>> {
    let rows = db::filters::of_owner(state.pool(), me, None).await?;
    let mut keywords: HashMap<i64, Vec<KeywordRow>> = HashMap::new();
    for k in db::filters::keywords(state.pool(), me, None).await? {
        keywords.entry(k.filter_id).or_default().push(k);
    }
    let mut statuses: HashMap<i64, Vec<FilterStatusRow>> = HashMap::new();
    for s in db::filters::statuses(state.pool(), me, None).await? {
        statuses.entry(s.filter_id).or_default().push(s);
    }
    Ok(rows
        .into_iter()
        .map(|row| Filter {
            keywords: keywords.remove(&row.id).unwrap_or_default(),
            statuses: statuses.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// Applies the keywords of an input to a filter, in the caller's transaction: new ones
/// added, named ones changed or deleted (a keyword of another filter is not found).
async fn apply_keywords(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    me: i64,
    filter_id: i64,
    keywords: &[KeywordInput],
    now: i64,
) -> AppResult<Vec<i64>> {
    let mut created = Vec::new();
    if keywords.len() > curation::MAX_KEYWORDS {
        return Err(
            Invalid::new("keywords_attributes", "error-filter-too-many-keywords")
                .arg("max", curation::MAX_KEYWORDS)
                .into(),
        );
    }
    for k in keywords {
        match k.id {
            None if k.destroy => {}
            None => {
                let row = KeywordRow {
                    id: state.ids.next(),
                    filter_id,
                    keyword: curation::keyword(k.keyword.as_deref().unwrap_or(""))?,
                    whole_word: db::flag(k.whole_word.unwrap_or(true)),
                };
                db::filters::insert_keyword(tx, &row, now).await?;
                created.push(row.id);
            }
            Some(id) => {
                let mut row = db::filters::keyword(&mut *tx, me, id)
                    .await?
                    .filter(|r| r.filter_id == filter_id)
                    .ok_or_else(AppError::not_found)?;
                if k.destroy {
                    db::filters::delete_keyword(tx, filter_id, id).await?;
                    continue;
                }
                if let Some(text) = &k.keyword {
                    row.keyword = curation::keyword(text)?;
                }
                if let Some(w) = k.whole_word {
                    row.whole_word = db::flag(w);
                }
                db::filters::update_keyword(tx, &row).await?;
            }
        }
    }
    let count = db::filters::keywords(&mut *tx, me, Some(filter_id))
        .await?
        .len();
    if count > curation::MAX_KEYWORDS {
        return Err(
            Invalid::new("keywords_attributes", "error-filter-too-many-keywords")
                .arg("max", curation::MAX_KEYWORDS)
                .into(),
        );
    }
    Ok(created)
}

/// Makes a filter with its keywords (`warn` unless said otherwise).
pub async fn create(state: &AppState, me: i64, input: &FilterInput) -> AppResult<Filter> {
    let mut row = FilterRow {
        id: state.ids.next(),
        account_id: me,
        title: String::new(),
        context: String::new(),
        action: FilterAction::Warn.as_str().to_string(),
        expires_at: None,
    };
    let refused = check(&mut row, input, true);
    if !refused.is_empty() {
        return Err(AppError::invalid(refused));
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    db::filters::insert(&mut tx, &row, now).await?;
    apply_keywords(state, &mut tx, me, row.id, &input.keywords, now).await?;
    tx.commit().await?;
    state.streams.filters_changed(me);
    get(state, me, row.id).await
}

/// Changes one of `me`'s filters and its keywords.
pub async fn update(state: &AppState, me: i64, id: i64, input: &FilterInput) -> AppResult<Filter> {
    let mut row = get(state, me, id).await?.row;
    let refused = check(&mut row, input, false);
    if !refused.is_empty() {
        return Err(AppError::invalid(refused));
    }
    let mut tx = state.db.begin().await?;
    db::filters::update(&mut tx, &row).await?;
    apply_keywords(state, &mut tx, me, row.id, &input.keywords, clock::now()).await?;
    tx.commit().await?;
    state.streams.filters_changed(me);
    get(state, me, id).await
}

/// Deletes one of `me`'s filters.
pub async fn delete(state: &AppState, me: i64, id: i64) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if !db::filters::delete(&mut tx, me, id).await? {
        return Err(AppError::not_found());
    }
    tx.commit().await?;
    state.streams.filters_changed(me);
    Ok(())
}

/// The keywords of one of `me`'s filters.
pub async fn keywords(state: &AppState, me: i64, filter_id: i64) -> AppResult<Vec<KeywordRow>> {
    Ok(get(state, me, filter_id).await?.keywords)
}

/// Adds a keyword to one of `me`'s filters.
pub async fn add_keyword(
    state: &AppState,
    me: i64,
    filter_id: i64,
    input: KeywordInput,
) -> AppResult<KeywordRow> {
    get(state, me, filter_id).await?;
    let input = KeywordInput {
        id: None,
        destroy: false,
        keyword: Some(input.keyword.unwrap_or_default()),
        ..input
    };
    let refused = check(&mut blank(me), &only(input.clone()), false);
    if !refused.is_empty() {
        return Err(AppError::invalid(refused));
    }
    let mut tx = state.db.begin().await?;
    let created = apply_keywords(state, &mut tx, me, filter_id, &[input], clock::now()).await?;
    tx.commit().await?;
    state.streams.filters_changed(me);
    keyword(state, me, created.first().copied().unwrap_or_default()).await
}

fn blank(me: i64) -> FilterRow {
    FilterRow {
        id: 0,
        account_id: me,
        title: String::new(),
        context: String::new(),
        action: String::new(),
        expires_at: None,
    }
}

fn only(k: KeywordInput) -> FilterInput {
    FilterInput {
        keywords: vec![k],
        ..FilterInput::default()
    }
}

/// One keyword of `me`'s filters, or 404.
pub async fn keyword(state: &AppState, me: i64, id: i64) -> AppResult<KeywordRow> {
    db::filters::keyword(state.pool(), me, id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Changes one keyword of `me`'s filters.
pub async fn update_keyword(
    state: &AppState,
    me: i64,
    id: i64,
    input: KeywordInput,
) -> AppResult<KeywordRow> {
    let row = keyword(state, me, id).await?;
    let input = KeywordInput {
        id: Some(id),
        destroy: false,
        ..input
    };
    let refused = check(&mut blank(me), &only(input.clone()), false);
    if !refused.is_empty() {
        return Err(AppError::invalid(refused));
    }
    let mut tx = state.db.begin().await?;
    apply_keywords(state, &mut tx, me, row.filter_id, &[input], clock::now()).await?;
    tx.commit().await?;
    state.streams.filters_changed(me);
    keyword(state, me, id).await
}

/// Deletes one keyword of `me`'s filters.
pub async fn delete_keyword(state: &AppState, me: i64, id: i64) -> AppResult<()> {
    let row = keyword(state, me, id).await?;
    let mut tx = state.db.begin().await?;
    db::filters::delete_keyword(&mut tx, row.filter_id, id).await?;
    tx.commit().await?;
    state.streams.filters_changed(me);
    Ok(())
}

/// The posts of one of `me`'s filters.
pub async fn statuses(
    state: &AppState,
    me: i64,
    filter_id: i64,
) -> AppResult<Vec<FilterStatusRow>> {
    Ok(get(state, me, filter_id).await?.statuses)
}

/// Adds a post `me` may see to one of `me`'s filters; a post not seen, or already there, is
/// refused (422, as Mastodon's validations).
pub async fn add_status(
    state: &AppState,
    me: i64,
    filter_id: i64,
    status_id: Option<i64>,
) -> AppResult<FilterStatusRow> {
    get(state, me, filter_id).await?;
    let Some(status_id) = status_id else {
        return Err(Invalid::new("status_id", "error-required").into());
    };
    let seen = match db::statuses::by_id(state.pool(), status_id).await? {
        Some(s) => super::statuses::can_see(state, Some(me), &s).await?,
        None => false,
    };
    if !seen {
        return Err(Invalid::new("status_id", "error-filter-status-unknown").into());
    }
    let row = FilterStatusRow {
        id: state.ids.next(),
        filter_id,
        status_id,
    };
    if !db::filters::insert_status(state.pool(), &row, clock::now()).await? {
        return Err(Invalid::new("status_id", "error-filter-status-taken").into());
    }
    state.streams.filters_changed(me);
    Ok(row)
}

/// One post of `me`'s filters, or 404.
pub async fn status(state: &AppState, me: i64, id: i64) -> AppResult<FilterStatusRow> {
    db::filters::status(state.pool(), me, id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Takes a post out of one of `me`'s filters.
pub async fn delete_status(state: &AppState, me: i64, id: i64) -> AppResult<()> {
    let row = status(state, me, id).await?;
    db::filters::delete_status(state.pool(), row.id).await?;
    state.streams.filters_changed(me);
    Ok(())
}

/// A v1 filter (Mastodon's `/api/v1/filters`): one keyword, with its filter.
#[derive(Debug, Clone)]
pub struct V1Filter {
    /// The keyword (its id is the v1 filter's).
    pub keyword: KeywordRow,
    /// Its filter.
    pub filter: FilterRow,
}

/// A v1 filter as typed: `phrase`, `context[]`, `irreversible`, `whole_word`, `expires_in`.
#[derive(Debug, Default, Clone)]
pub struct V1Input {
    /// The keyword.
    pub phrase: Option<String>,
    /// Where it applies.
    pub context: Option<Vec<String>>,
    /// Hide rather than warn.
    pub irreversible: Option<bool>,
    /// Matched at word boundaries only.
    pub whole_word: Option<bool>,
    /// As [`FilterInput::expires_in`].
    pub expires_in: Option<Option<String>>,
}

/// Every keyword of `me`'s filters, as v1 filters.
pub async fn v1_all(state: &AppState, me: i64) -> AppResult<Vec<V1Filter>> {
    let mut out = Vec::new();
    for f in all(state, me).await? {
        for k in f.keywords {
            out.push(V1Filter {
                keyword: k,
                filter: f.row.clone(),
            });
        }
    }
    Ok(out)
}

/// One v1 filter of `me`'s (a keyword), or 404.
pub async fn v1_get(state: &AppState, me: i64, id: i64) -> AppResult<V1Filter> {
    let keyword = keyword(state, me, id).await?;
    let filter = get(state, me, keyword.filter_id).await?.row;
    Ok(V1Filter { keyword, filter })
}

fn v1_as_v2(input: &V1Input, creating: bool) -> FilterInput {
    FilterInput {
        title: input.phrase.clone(),
        context: input.context.clone(),
        action: input.irreversible.map(|i| {
            let action = if i {
                FilterAction::Hide
            } else {
                FilterAction::Warn
            };
            action.as_str().to_string()
        }),
        expires_in: input.expires_in.clone(),
        keywords: if creating {
            vec![KeywordInput {
                keyword: Some(input.phrase.clone().unwrap_or_default()),
                whole_word: input.whole_word,
                ..KeywordInput::default()
            }]
        } else {
            Vec::new()
        },
    }
}

/// Makes a v1 filter: a filter named after its phrase, holding it as its one keyword.
pub async fn v1_create(state: &AppState, me: i64, input: &V1Input) -> AppResult<V1Filter> {
    if input.phrase.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return Err(Invalid::new("phrase", "error-required").into());
    }
    let f = create(state, me, &v1_as_v2(input, true)).await?;
    let keyword = f
        .keywords
        .into_iter()
        .next()
        .ok_or_else(AppError::not_found)?;
    Ok(V1Filter {
        keyword,
        filter: f.row,
    })
}

/// Changes a v1 filter: its keyword, and its filter's settings (refused, as by Mastodon, when
/// the filter holds other keywords that the change would touch too).
pub async fn v1_update(state: &AppState, me: i64, id: i64, input: &V1Input) -> AppResult<V1Filter> {
    let current = v1_get(state, me, id).await?;
    if input.phrase.as_deref().is_some_and(|p| p.trim().is_empty()) {
        return Err(Invalid::new("phrase", "error-required").into());
    }
    let mut change = v1_as_v2(input, false);
    change.keywords = vec![KeywordInput {
        id: Some(id),
        keyword: input.phrase.clone(),
        whole_word: input.whole_word,
        destroy: false,
    }];
    let touches_filter = change.context.is_some()
        || change.action.is_some()
        || change.expires_in.is_some()
        || change.title.is_some();
    if touches_filter && keywords(state, me, current.filter.id).await?.len() > 1 {
        return Err(Invalid::new("phrase", "error-filter-v1-shared").into());
    }
    update(state, me, current.filter.id, &change).await?;
    v1_get(state, me, id).await
}

/// Deletes a v1 filter: its keyword, and its filter when nothing is left in it.
pub async fn v1_delete(state: &AppState, me: i64, id: i64) -> AppResult<()> {
    let current = v1_get(state, me, id).await?;
    delete_keyword(state, me, id).await?;
    let left = get(state, me, current.filter.id).await?;
    if left.keywords.is_empty() && left.statuses.is_empty() {
        delete(state, me, left.row.id).await?;
    }
    Ok(())
}

/// A filter in force for one context, compiled.
#[derive(Clone)]
struct Compiled {
    row: FilterRow,
    action: FilterAction,
    pattern: Option<regex::Regex>,
    statuses: Vec<i64>,
}

/// The filters of a person in force in one context, each keyword set compiled once.
pub struct Active {
    filters: Vec<Compiled>,
}

/// What a filter found in a post.
pub struct Found<'a> {
    /// The filter.
    pub filter: &'a FilterRow,
    /// What it does.
    pub action: FilterAction,
    /// The text its keywords matched (Mastodon gives the first match).
    pub keyword_matches: Vec<String>,
    /// The posts of the filter it matched (the post, or the boosted post).
    pub status_matches: Vec<i64>,
}

impl Active {
    /// No filters (anonymous readers, or none in force).
    pub fn none() -> Active {
        Active {
            filters: Vec::new(),
        }
    }

    /// `me`'s filters in force now in `context`: three queries, and each filter's keywords
    /// compiled into one pattern.
    pub async fn load(state: &AppState, me: i64, context: FilterContext) -> AppResult<Active> {
        Ok(Active::load_many(state, me, &[context]).await?.remove(0))
    }

    /// `me`'s filters in force now in each of `contexts`, with the same three queries.
    pub async fn load_many(
        state: &AppState,
        me: i64,
        contexts: &[FilterContext],
    ) -> AppResult<Vec<Active>> {
        let rows: Vec<FilterRow> = db::filters::of_owner(state.pool(), me, Some(clock::now()))
            .await?
            .into_iter()
            .filter(|f| {
                let theirs = FilterContext::load(&f.context);
                contexts.iter().any(|c| theirs.contains(c))
            })
            .collect();
        if rows.is_empty() {
            return Ok(contexts.iter().map(|_| Active::none()).collect());
        }
        let mut keywords: HashMap<i64, Vec<KeywordRow>> = HashMap::new();
        for k in db::filters::keywords(state.pool(), me, None).await? {
            keywords.entry(k.filter_id).or_default().push(k);
        }
        let mut statuses: HashMap<i64, Vec<i64>> = HashMap::new();
        for s in db::filters::statuses(state.pool(), me, None).await? {
            statuses.entry(s.filter_id).or_default().push(s.status_id);
        }
        let compiled: Vec<(Vec<FilterContext>, Compiled)> = rows
            .into_iter()
            .filter_map(|row| {
                let action = FilterAction::parse(&row.action).ok()?;
                let pattern = keywords.get(&row.id).and_then(|ks| {
                    curation::keywords_regex(
                        ks.iter().map(|k| (k.keyword.as_str(), k.whole_word != 0)),
                    )
                });
                Some((
                    FilterContext::load(&row.context),
                    Compiled {
                        statuses: statuses.remove(&row.id).unwrap_or_default(),
                        row,
                        action,
                        pattern,
                    },
                ))
            })
            .collect();
        Ok(contexts
            .iter()
            .map(|c| Active {
                filters: compiled
                    .iter()
                    .filter(|(theirs, _)| theirs.contains(c))
                    .map(|(_, f)| f.clone())
                    .collect(),
            })
            .collect())
    }

    /// `me`'s filters in force now, whatever their contexts: what Mastodon matches a post
    /// asked for by itself against (`Account#status_matches_filters`).
    pub async fn load_any(state: &AppState, me: i64) -> AppResult<Active> {
        let mut filters: Vec<Compiled> = Vec::new();
        for active in Active::load_many(state, me, &FilterContext::ALL).await? {
            for f in active.filters {
                if !filters.iter().any(|g| g.row.id == f.row.id) {
                    filters.push(f);
                }
            }
        }
        Ok(Active { filters })
    }

    /// When the first of these filters stops applying (Unix microseconds), if one does.
    pub fn ends_at(&self) -> Option<i64> {
        self.filters.iter().filter_map(|f| f.row.expires_at).min()
    }

    /// Whether no filter is in force.
    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// What the filters find in a post: `ids` the post's id and the boosted post's, `text` its
    /// searchable text (content warning, text, media descriptions).
    pub fn find(&self, ids: &[i64], text: &str) -> Vec<Found<'_>> {
        self.filters
            .iter()
            .filter_map(|f| {
                let keyword_matches: Vec<String> = f
                    .pattern
                    .as_ref()
                    .and_then(|p| p.find(text))
                    .map(|m| vec![m.as_str().to_string()])
                    .unwrap_or_default();
                let status_matches: Vec<i64> = ids
                    .iter()
                    .copied()
                    .filter(|id| f.statuses.contains(id))
                    .collect();
                if keyword_matches.is_empty() && status_matches.is_empty() {
                    return None;
                }
                Some(Found {
                    filter: &f.row,
                    action: f.action,
                    keyword_matches,
                    status_matches,
                })
            })
            .collect()
    }
}
