//! Files sent with the pages' forms (a post's attachments, an event's picture, an avatar, a
//! banner, a group's logo): each file input of a form is a [`MediaSlot`], whose file is made a
//! medium (`service::media::create`, then processed while the request waits) or refused with
//! a message shown by the field. A file that was accepted in a form refused for another reason
//! is kept (its id rides in a hidden field), so that nobody chooses it again.

use super::Ctx;
use crate::{
    db::{accounts::AccountRow, media::MediaRow},
    domain::media::{MediaKind, MediaState, MediaUse},
    error::{AppError, AppResult},
    media::Refusal,
    service::media::{self, Describe, Spooled, Variant},
    state::AppState,
    upload,
};
use std::time::Duration;

/// How long a form waits for its files to be processed: a picture takes well under a second,
/// a long video more. Past it, the file stays and the form comes back saying to try again.
const WAIT: Duration = Duration::from_secs(120);

/// The types the composer's file inputs offer (the server tells a file's type from its bytes
/// whatever the browser offered).
pub const ACCEPT_ALL: &str = "image/jpeg,image/png,image/gif,image/webp,video/mp4,video/webm,\
                              video/quicktime,audio/mpeg,audio/ogg,audio/mp4,.m4a,application/pdf";
/// The types a picture's file input offers.
pub const ACCEPT_IMAGES: &str = "image/jpeg,image/png,image/gif,image/webp";

/// One file input of a form, as the page shows it.
#[derive(Debug, Clone, Default)]
pub struct MediaSlot {
    /// The input's number in its form (0 for a form with one).
    pub n: usize,
    /// The alt text typed.
    pub description: String,
    /// The medium made of the file sent (or kept from an earlier try of the same form).
    pub media: Option<MediaRow>,
    /// Why the file was refused.
    pub file_error: Option<String>,
    /// Why the alt text was refused.
    pub description_error: Option<String>,
}

impl MediaSlot {
    /// An empty input.
    pub fn empty(n: usize) -> MediaSlot {
        MediaSlot {
            n,
            ..MediaSlot::default()
        }
    }

    /// Whether the file or its alt text was refused.
    pub fn refused(&self) -> bool {
        self.file_error.is_some() || self.description_error.is_some()
    }

    /// The id of the medium kept, for the form's hidden field.
    pub fn kept_id(&self) -> Option<i64> {
        self.media.as_ref().map(|m| m.id)
    }

    /// The preview of a kept picture or video (a path on this server).
    pub fn preview(&self) -> Option<String> {
        let m = self.media.as_ref()?;
        crate::service::media::path(m, Variant::Small).or_else(|| {
            (m.kind == MediaKind::Image)
                .then(|| crate::service::media::path(m, Variant::Original))?
        })
    }

    /// Whether the slot holds a picture without alt text (the page reminds its author).
    pub fn image_without_alt(&self) -> bool {
        self.media
            .as_ref()
            .is_some_and(|m| matches!(m.kind, MediaKind::Image | MediaKind::Gifv))
            && self.description.trim().is_empty()
    }
}

/// What a form sent for one file input.
pub struct SlotInput<'a> {
    /// The input's number.
    pub n: usize,
    /// The file input's name.
    pub file_field: &'a str,
    /// The alt text typed.
    pub description: &'a str,
    /// The hidden field of a file kept from an earlier try (an id, or empty).
    pub kept: &'a str,
    /// The person asked to take the kept file away.
    pub drop: bool,
}

/// Makes a form's file input a [`MediaSlot`]: a file sent becomes a medium, processed before
/// the answer (the slot then says why it was refused, if it was); without a file, the medium
/// kept from an earlier try stays (its alt text changed when retyped) unless dropped. Only
/// failures on our side are errors.
pub async fn take_slot(
    state: &AppState,
    c: &Ctx,
    me: &AccountRow,
    files: &mut upload::Form,
    input: SlotInput<'_>,
) -> AppResult<MediaSlot> {
    let mut slot = MediaSlot {
        n: input.n,
        description: input.description.to_string(),
        ..MediaSlot::default()
    };
    let describe = Describe {
        description: Some(input.description.to_string()),
        focus: None,
    };
    if let Some(refusal) = files.refused.remove(input.file_field) {
        slot.file_error = Some(file_message(c, &refusal));
    } else if let Some(file) = files.take_file(input.file_field) {
        match make_medium(state, me, file, &describe).await? {
            Ok(row) => slot.media = Some(row),
            Err(refusal) => {
                if refusal.fields.iter().any(|f| f.field == "description") {
                    slot.description_error = Some(field_message(c, &refusal, "description"));
                } else {
                    slot.file_error = Some(file_message(c, &refusal));
                }
            }
        }
    } else if let Ok(id) = input.kept.trim().parse::<i64>()
        && !input.drop
    {
        // Someone else's id, or one gone since, is forgotten: the input is then empty.
        if let Ok(row) = media::mine(state, me, id).await
            && row.status_id.is_none()
        {
            if row.description != input.description.trim() {
                match media::update(state, me, row.id, &describe).await {
                    Ok(updated) => slot.media = Some(updated),
                    Err(e) if e.status.is_client_error() => {
                        slot.description_error = Some(field_message(c, &e, "description"));
                        slot.media = Some(row);
                    }
                    Err(e) => return Err(e),
                }
            } else {
                slot.media = Some(row);
            }
        }
    }
    Ok(slot)
}

/// Records a file and waits for it to be processed: the medium (ready, or still processing
/// after [`WAIT`]), or the error saying why it was refused.
pub async fn make_medium(
    state: &AppState,
    me: &AccountRow,
    file: Spooled,
    describe: &Describe,
) -> AppResult<Result<MediaRow, AppError>> {
    let row = match media::create(state, me, file, describe).await {
        Ok(row) => row,
        Err(e) if e.status.is_client_error() => return Ok(Err(e)),
        Err(e) => return Err(e),
    };
    let row = media::settled(state, row.id, WAIT).await?;
    match row.state {
        MediaState::Ready | MediaState::Processing => Ok(Ok(row)),
        MediaState::Failed => {
            media::forget_failed(state, &row).await?;
            Ok(Err(media::refused(Refusal::from_key(
                row.error.as_deref().unwrap_or_default(),
            ))))
        }
        MediaState::Removed => Err(AppError::not_found()),
    }
}

/// A refused file's message: "This file " and why.
pub fn file_message(c: &Ctx, e: &AppError) -> String {
    let reason = e
        .fields
        .first()
        .map(|f| crate::i18n::t_args(c.locale, f.key, &f.args))
        .unwrap_or_else(|| e.message(c.locale));
    c.ta("media-file-refused", "reason", &reason)
}

/// The message of one refused field (or of the whole error when it names none).
fn field_message(c: &Ctx, e: &AppError, field: &str) -> String {
    e.fields
        .iter()
        .find(|f| f.field == field)
        .map(|f| crate::i18n::t_args(c.locale, f.key, &f.args))
        .unwrap_or_else(|| e.message(c.locale))
}

/// What a pictures' form asks of one of its file inputs.
pub struct AccountImage<'a> {
    /// The file input (`avatar`, `header`).
    pub field: &'a str,
    /// The picture or the banner.
    pub used_for: MediaUse,
    /// Take the current one away (when no file came).
    pub remove: bool,
}

/// Makes the file of a pictures' form the picture or banner of `account` (a person's own, or
/// a group's its administrator sends: the caller checked), or takes it away when asked and no
/// file came. Gives why the file was refused, if it was (not a picture, damaged, too large).
pub async fn set_account_image(
    state: &AppState,
    c: &Ctx,
    me: &AccountRow,
    account: &AccountRow,
    files: &mut upload::Form,
    set: AccountImage<'_>,
) -> AppResult<Option<String>> {
    if let Some(refusal) = files.refused.remove(set.field) {
        return Ok(Some(file_message(c, &refusal)));
    }
    let Some(file) = files.take_file(set.field) else {
        if set.remove {
            media::clear_account_image(state, account, set.used_for).await?;
        }
        return Ok(None);
    };
    let row = match make_medium(state, me, file, &Describe::default()).await? {
        Ok(row) => row,
        Err(refusal) => return Ok(Some(file_message(c, &refusal))),
    };
    match media::set_account_image(state, account, &row, set.used_for).await {
        Ok(()) => Ok(None),
        Err(e) if e.status.is_client_error() => Ok(Some(file_message(c, &e))),
        Err(e) => Err(e),
    }
}
