//! Settings → Mes données: asking for the archive of one's data and downloading it
//! (`service::export`), importing Mastodon's CSV files and reading each import's report
//! (`service::import`).

use super::{
    Ctx,
    form::{CsrfForm, CsrfTextFile, TextFileField},
    redirect_with_flash, render_status,
};
use crate::{
    error::AppResult,
    service::{export, import},
    state::AppState,
};
use askama::Template;
use axum::{
    body::Body,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings_data.html")]
struct DataPage {
    c: Ctx,
    exports: Vec<export::Export>,
    /// When the next archive may be asked for (`None`: now).
    next_allowed: Option<i64>,
    imports: Vec<import::Import>,
    /// Why the import form was refused.
    import_error: Option<String>,
    now: i64,
}

impl DataPage {
    /// The import kinds offered, in the menu's order.
    fn kinds(&self) -> [&'static str; 6] {
        import::Kind::ALL.map(import::Kind::as_str)
    }

    /// Whether an archive can be downloaded now.
    fn downloadable(&self, e: &export::Export) -> bool {
        e.state == "ready" && e.expires_at.is_some_and(|at| at > self.now)
    }

    fn size_kib(&self, e: &export::Export) -> String {
        ((e.size_bytes.unwrap_or(0) + 1023) / 1024).to_string()
    }
}

async fn page(
    state: &AppState,
    c: Ctx,
    import_error: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let me = c.require_user()?.account_id;
    let exports = export::list(state, me).await?;
    let imports = import::list(state, me).await?;
    Ok(render_status(
        status,
        &DataPage {
            next_allowed: export::next_allowed(&exports),
            exports,
            imports,
            import_error,
            now: crate::clock::now(),
            c,
        },
    ))
}

/// `GET /settings/data`.
pub async fn data_page(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    page(&state, c, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct EmptyForm {}

/// `POST /settings/data/export`: asks for an archive.
pub async fn request_export(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let me = c.require_user()?.account_id;
    export::request(&state, me).await?;
    Ok(redirect_with_flash(
        &state,
        "/settings/data",
        "flash-export-requested",
    ))
}

/// `GET /settings/data/exports/{id}`: the archive, to its owner only (anyone else: not found).
pub async fn download(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let me = c.require_user()?.account_id;
    let (e, file) = export::open(&state, me, id).await?;
    let name = format!(
        "coopol-archive-{}.zip",
        crate::clock::to_datetime(e.requested_at).format("%Y%m%d%H%M%S")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_LENGTH, file.total.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        Body::from_stream(file.body),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    mode: String,
}

impl TextFileField for ImportForm {
    const FILE_FIELD: &'static str = "file";
    const MAX_FILE_BYTES: usize = import::MAX_BYTES;
}

/// `POST /settings/data/import`: takes a Mastodon CSV file to import in the background.
pub async fn import_file(
    State(state): State<AppState>,
    c: Ctx,
    upload: AppResult<CsrfTextFile<ImportForm>>,
) -> AppResult<Response> {
    let me = c.me()?;
    let result = match upload {
        Ok(CsrfTextFile { form, file }) => {
            import::submit(&state, &me, &form.kind, &form.mode, &file).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            "/settings/data",
            "flash-import-queued",
        )),
        Err(e) if !e.fields.is_empty() || e.status == StatusCode::TOO_MANY_REQUESTS => {
            let message = e.message(c.locale);
            page(&state, c, Some(message), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}
