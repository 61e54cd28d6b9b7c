//! A person's settings: profile, password, language, account deletion; and the language menu
//! every page has.

use super::{
    Ctx,
    form::{CsrfForm, CsrfUpload, FileFields},
    redirect_with_flash, render_status, safe_next,
    uploads::{AccountImage, set_account_image},
};
use crate::{
    db,
    domain::{
        AlertReach, Channels, DigestFrequency, Locale, MissionAlerts, NotificationKind,
        media::MediaUse,
    },
    error::AppResult,
    service,
    state::AppState,
};
use askama::Template;
use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings_profile.html")]
struct ProfilePage {
    c: Ctx,
    display_name: String,
    bio: String,
    fields: Vec<(String, String)>,
    locked: bool,
    discoverable: bool,
    errors: Vec<(String, String)>,
    /// The current avatar and banner.
    avatar: Option<String>,
    header: Option<String>,
    /// Why a file of the pictures' form was refused, by field (`avatar`, `header`).
    image_errors: Vec<(String, String)>,
    /// The person's groups, each with its box "shown on my profile" (`web::profile_groups`).
    profile_groups: Vec<super::profile_groups::GroupBox>,
    /// Why the groups' form was refused.
    profile_groups_error: Option<String>,
}

impl ProfilePage {
    /// The profile form filled in from the account.
    fn of(c: Ctx, account: &db::accounts::AccountRow) -> ProfilePage {
        let mut fields: Vec<(String, String)> = field_sources(account);
        fields.resize(
            service::accounts::MAX_FIELDS,
            (String::new(), String::new()),
        );
        ProfilePage {
            c,
            display_name: account.display_name.clone(),
            bio: account.note_source.clone(),
            fields,
            locked: account.locked != 0,
            discoverable: account.discoverable != 0,
            errors: Vec::new(),
            avatar: account.avatar_url.clone(),
            header: account.header_url.clone(),
            image_errors: Vec::new(),
            profile_groups: Vec::new(),
            profile_groups_error: None,
        }
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn image_error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.image_errors, field)
    }

    /// The file types the pictures' inputs offer.
    fn accept_images(&self) -> &'static str {
        super::uploads::ACCEPT_IMAGES
    }

    /// Where the pictures' form posts.
    fn images_action(&self) -> &'static str {
        "/settings/images"
    }

    /// The pictures are a person's (not a group's).
    fn images_of_group(&self) -> bool {
        false
    }
}

/// The profile form.
pub async fn profile_page(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let user = c.require_user()?;
    let account = service::directory::own(&state, user.account_id).await?;
    let mut page = ProfilePage::of(c, &account);
    page.profile_groups = super::profile_groups::boxes(&state, &page.c).await?;
    Ok(super::render(&page))
}

/// A local account's profile fields as typed (their source, not their HTML).
fn field_sources(account: &db::accounts::AccountRow) -> Vec<(String, String)> {
    serde_json::from_str::<Vec<serde_json::Value>>(&account.fields_json)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| {
            let name = f.get("name")?.as_str()?.to_string();
            let value = f
                .get("source")
                .or_else(|| f.get("value"))?
                .as_str()?
                .to_string();
            Some((name, value))
        })
        .collect()
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
    #[serde(default)]
    field_name_0: String,
    #[serde(default)]
    field_value_0: String,
    #[serde(default)]
    field_name_1: String,
    #[serde(default)]
    field_value_1: String,
    #[serde(default)]
    field_name_2: String,
    #[serde(default)]
    field_value_2: String,
    #[serde(default)]
    field_name_3: String,
    #[serde(default)]
    field_value_3: String,
    #[serde(default, deserialize_with = "super::form::checkbox")]
    locked: bool,
    #[serde(default, deserialize_with = "super::form::checkbox")]
    discoverable: bool,
}

impl ProfileForm {
    fn fields(&self) -> Vec<(String, String)> {
        vec![
            (self.field_name_0.clone(), self.field_value_0.clone()),
            (self.field_name_1.clone(), self.field_value_1.clone()),
            (self.field_name_2.clone(), self.field_value_2.clone()),
            (self.field_name_3.clone(), self.field_value_3.clone()),
        ]
    }
}

/// Saves the profile.
pub async fn profile(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> AppResult<Response> {
    let user = c.require_user()?;
    let fields = form.fields();
    let result = match service::accounts::update_profile(
        &state,
        user.account_id,
        &form.display_name,
        &form.bio,
    )
    .await
    {
        Ok(()) => {
            service::accounts::update_settings(
                &state,
                user.account_id,
                &fields,
                form.locked,
                form.discoverable,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/settings",
            "flash-profile-saved",
        )),
        Err(e) if !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            let account = service::directory::own(&state, user.account_id).await?;
            let profile_groups = super::profile_groups::boxes(&state, &c).await?;
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ProfilePage {
                    display_name: form.display_name,
                    bio: form.bio,
                    fields,
                    locked: form.locked,
                    discoverable: form.discoverable,
                    errors,
                    profile_groups,
                    ..ProfilePage::of(c, &account)
                },
            ))
        }
        Err(e) => Err(e),
    }
}

/// The pictures' form: a new avatar or banner, or taking one away.
#[derive(Deserialize)]
pub struct ImagesForm {
    #[serde(default, deserialize_with = "super::form::checkbox")]
    remove_avatar: bool,
    #[serde(default, deserialize_with = "super::form::checkbox")]
    remove_header: bool,
}

impl FileFields for ImagesForm {
    const FILE_FIELDS: &'static [&'static str] = &["avatar", "header"];
}

/// `POST /settings/images`: sets, replaces or removes the avatar and the banner. A file that
/// is not a picture (or is refused) is named by its field; the other one is still saved.
pub async fn images(
    State(state): State<AppState>,
    c: Ctx,
    CsrfUpload { form, mut files }: CsrfUpload<ImagesForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let mut image_errors = Vec::new();
    for (field, used_for, remove) in [
        ("avatar", MediaUse::Avatar, form.remove_avatar),
        ("header", MediaUse::Header, form.remove_header),
    ] {
        let set = AccountImage {
            field,
            used_for,
            remove,
        };
        match set_account_image(&state, &c, &me, &me, &mut files, set).await {
            Ok(Some(message)) => image_errors.push((field.to_string(), message)),
            Ok(None) => {}
            Err(e) => {
                files.discard().await;
                return Err(e);
            }
        }
    }
    files.discard().await;
    if image_errors.is_empty() {
        return Ok(redirect_with_flash(
            &state,
            "/settings",
            "flash-images-saved",
        ));
    }
    let account = service::directory::own(&state, me.id).await?;
    let profile_groups = super::profile_groups::boxes(&state, &c).await?;
    Ok(render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ProfilePage {
            image_errors,
            profile_groups,
            ..ProfilePage::of(c, &account)
        },
    ))
}

/// The profile page again with the groups' form refused (`web::profile_groups`).
pub(super) async fn profile_groups_refused(
    state: &AppState,
    c: Ctx,
    error: String,
) -> AppResult<Response> {
    let me = c.me()?;
    let account = service::directory::own(state, me.id).await?;
    let profile_groups = super::profile_groups::boxes(state, &c).await?;
    Ok(render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ProfilePage {
            profile_groups,
            profile_groups_error: Some(error),
            ..ProfilePage::of(c, &account)
        },
    ))
}

#[derive(Template)]
#[template(path = "settings_password.html")]
struct PasswordPage {
    c: Ctx,
    errors: Vec<(String, String)>,
}

impl PasswordPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }
}

/// The password form.
pub async fn password_page(c: Ctx) -> AppResult<Response> {
    c.require_user()?;
    Ok(super::render(&PasswordPage {
        c,
        errors: Vec::new(),
    }))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

/// Changes the password; other sessions and app tokens stop working.
pub async fn password(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    let user = c.require_user()?;
    let keep = c.session_token.as_deref().map(service::sessions::hash);
    match service::accounts::change_password(
        &state,
        user.account_id,
        &form.current_password,
        &form.password,
        &form.password_confirmation,
        keep.as_deref(),
    )
    .await
    {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/settings/password",
            "flash-password-changed",
        )),
        Err(e) if !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PasswordPage { c, errors },
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "settings_preferences.html")]
struct PreferencesPage {
    c: Ctx,
    chosen: String,
    /// The time zone chosen or typed (empty: the instance's).
    time_zone: String,
    /// The time zone menu.
    zones: Vec<super::dates::ZoneGroup>,
    /// The instance's zone, named in the menu's first choice.
    instance_zone: String,
    /// The posting and reading preferences, as saved or as typed.
    posting: PostingForm,
    errors: Vec<(String, String)>,
}

impl PreferencesPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    /// Whether the zone typed is none of the menu's (a refused value, shown as typed).
    fn zone_unlisted(&self) -> bool {
        !self.time_zone.is_empty()
            && !self
                .zones
                .iter()
                .any(|g| g.zones.iter().any(|(z, _)| *z == self.time_zone))
    }

    fn new(
        state: &AppState,
        c: Ctx,
        chosen: String,
        time_zone: String,
        posting: PostingForm,
        errors: Vec<(String, String)>,
    ) -> PreferencesPage {
        PreferencesPage {
            zones: super::dates::zone_menu(c.locale),
            instance_zone: super::dates::zone_label(c.locale, state.config.default_time_zone),
            c,
            chosen,
            time_zone,
            posting,
            errors,
        }
    }
}

/// The posting and reading preferences as saved, for the preferences page.
async fn posting_of(state: &AppState, account_id: i64) -> AppResult<PostingForm> {
    let p = service::preferences::get(state, account_id).await?;
    Ok(PostingForm {
        visibility: p.visibility.api_name().to_string(),
        sensitive: p.sensitive,
        language: p.language.unwrap_or_default(),
        expand_media: p.expand_media.to_string(),
        expand_spoilers: p.expand_spoilers,
    })
}

/// The language setting, and the posting and reading preferences apps read too.
pub async fn preferences_page(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let user = c.require_user()?;
    let chosen = user.locale.clone().unwrap_or_default();
    let time_zone = user.time_zone.clone().unwrap_or_default();
    let posting = posting_of(&state, user.account_id).await?;
    Ok(super::render(&PreferencesPage::new(
        &state,
        c,
        chosen,
        time_zone,
        posting,
        Vec::new(),
    )))
}

/// The posting and reading preferences' form.
#[derive(Deserialize)]
pub struct PostingForm {
    #[serde(default)]
    visibility: String,
    #[serde(default, deserialize_with = "super::form::checkbox")]
    sensitive: bool,
    #[serde(default)]
    language: String,
    #[serde(default)]
    expand_media: String,
    #[serde(default, deserialize_with = "super::form::checkbox")]
    expand_spoilers: bool,
}

/// `POST /settings/posting`: saves the posting and reading preferences; refused values are
/// shown by their fields with what was typed.
pub async fn posting(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<PostingForm>,
) -> AppResult<Response> {
    let user = c.require_user()?;
    let change = service::preferences::Change {
        visibility: Some(form.visibility.clone()),
        sensitive: Some(form.sensitive),
        language: Some(form.language.clone()),
        expand_media: Some(form.expand_media.clone()),
        expand_spoilers: Some(form.expand_spoilers),
    };
    match service::preferences::change(&state, user.account_id, change).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            "/settings/preferences",
            "flash-preferences-saved",
        )),
        Err(e) if !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            let chosen = user.locale.clone().unwrap_or_default();
            let time_zone = user.time_zone.clone().unwrap_or_default();
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PreferencesPage::new(&state, c, chosen, time_zone, form, errors),
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    locale: String,
    /// An IANA zone name; empty: the instance's.
    #[serde(default)]
    time_zone: String,
}

/// Saves the language and time zone settings (empty: follow the browser; the instance's
/// zone). A zone refused is shown by its field with what was chosen, and nothing is saved.
pub async fn preferences(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<PreferencesForm>,
) -> AppResult<Response> {
    let user = c.require_user()?;
    let locale = match form.locale.as_str() {
        "" => None,
        tag => Some(Locale::parse(tag)?),
    };
    match service::accounts::set_locale_and_zone(&state, user.account_id, locale, &form.time_zone)
        .await
    {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/settings/preferences",
            "flash-preferences-saved",
        )),
        Err(e) if !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            let posting = posting_of(&state, user.account_id).await?;
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PreferencesPage::new(&state, c, form.locale, form.time_zone, posting, errors),
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "settings_notifications.html")]
struct NotificationsPage {
    c: Ctx,
    /// Each kind with its channels, in sections: (section key, kinds).
    sections: Vec<(&'static str, Vec<(NotificationKind, Channels)>)>,
    /// How often the digest comes.
    digest: DigestFrequency,
    /// Missions near me, as chosen (or as typed, when refused).
    alerts: AlertsForm,
    /// Why the choice was refused, by field.
    errors: Vec<(String, String)>,
}

impl NotificationsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::web::error_for(&self.errors, field)
    }
}

/// The mission alerts part of the notifications page, as typed.
#[derive(Default)]
struct AlertsForm {
    reach: String,
    postcode: String,
    every_email: bool,
}

impl AlertsForm {
    fn of(a: &MissionAlerts) -> Self {
        AlertsForm {
            reach: a.reach.as_str().to_string(),
            postcode: a.postcode.clone().unwrap_or_default(),
            every_email: a.every_email,
        }
    }
}

/// The sections of the notification settings, each kind once.
fn sections_of(
    chosen: Vec<(NotificationKind, Channels)>,
) -> Vec<(&'static str, Vec<(NotificationKind, Channels)>)> {
    use NotificationKind as K;
    let section = |k: NotificationKind| match k {
        K::Mention
        | K::Follow
        | K::FollowRequest
        | K::Favourite
        | K::Reblog
        | K::Poll
        | K::ReportResolved
        | K::Move
        | K::DataExportReady => "settings-notifications-social",
        K::EventAccepted
        | K::EventRefused
        | K::EventPromoted
        | K::EventInvited
        | K::EventReminder
        | K::EventCancelled
        | K::EventUpdated
        | K::MissionNew
        | K::MissionShort => "settings-notifications-events",
        K::EventParticipation
        | K::EventLeft
        | K::EventShort
        | K::EventAttendance
        | K::GroupJoinRequest
        | K::AffiliationRequest
        | K::AdminSignUp => "settings-notifications-organizing",
    };
    let mut out: Vec<(&'static str, Vec<(NotificationKind, Channels)>)> = [
        "settings-notifications-social",
        "settings-notifications-events",
        "settings-notifications-organizing",
    ]
    .into_iter()
    .map(|name| (name, Vec::new()))
    .collect();
    for (kind, channels) in chosen {
        if let Some(list) = out.iter_mut().find(|(name, _)| *name == section(kind)) {
            list.1.push((kind, channels));
        }
    }
    out
}

/// `GET /settings/notifications`: for each kind, in the app, by e-mail, by push.
pub async fn notifications_page(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let user = c.require_user()?;
    let chosen = service::notifications::preferences(&state, user.account_id).await?;
    Ok(super::render(&NotificationsPage {
        sections: sections_of(chosen),
        digest: service::digest::frequency(&state, user.account_id).await?,
        alerts: AlertsForm::of(
            &service::notifications::mission_alerts(&state, user.account_id).await?,
        ),
        errors: Vec::new(),
        c,
    }))
}

/// `POST /settings/notifications`: every box of the page (`{kind}.in_app`, `.email`,
/// `.push`), a box absent being off, the digest and the mission alerts. A field the page does
/// not have is refused; a postcode refused shows the page again with what was typed, and
/// nothing is saved.
pub async fn notifications(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let user = c.require_user()?;
    let mut choices: Vec<(NotificationKind, Channels)> = NotificationKind::ALL
        .into_iter()
        .map(|k| {
            (
                k,
                Channels {
                    in_app: false,
                    email: false,
                    push: false,
                },
            )
        })
        .collect();
    let mut digest = None;
    let mut typed = AlertsForm::default();
    for (name, value) in form.iter().filter(|(name, _)| name != "csrf") {
        match name.as_str() {
            "alert_reach" => {
                typed.reach = value.clone();
                continue;
            }
            "alert_postcode" => {
                typed.postcode = value.clone();
                continue;
            }
            "alert_every_email" => {
                typed.every_email = true;
                continue;
            }
            _ => {}
        }
        if name == "digest" {
            digest = Some(
                DigestFrequency::from_stored(value)
                    .ok_or_else(|| crate::error::AppError::bad_request("error-form-field"))?,
            );
            continue;
        }
        let parsed = name.split_once('.').and_then(|(kind, channel)| {
            let kind = NotificationKind::from_slug(kind)?;
            let entry = choices.iter_mut().find(|(k, _)| *k == kind)?;
            match channel {
                "in_app" => entry.1.in_app = true,
                "email" => entry.1.email = true,
                "push" => entry.1.push = true,
                _ => return None,
            }
            Some(())
        });
        if parsed.is_none() {
            return Err(crate::error::AppError::bad_request("error-form-field"));
        }
    }
    let reach = if typed.reach.is_empty() {
        AlertReach::Off
    } else {
        AlertReach::from_stored(&typed.reach)
            .ok_or_else(|| crate::error::AppError::bad_request("error-form-field"))?
    };
    let alerts = match MissionAlerts::new(reach, Some(&typed.postcode), typed.every_email) {
        Ok(a) => a,
        Err(e) => {
            let e = crate::error::AppError::from(e);
            let errors = crate::web::field_errors(&c, &e);
            return Ok(render_status(
                e.status,
                &NotificationsPage {
                    sections: sections_of(choices),
                    digest: digest.unwrap_or(DigestFrequency::Off),
                    alerts: typed,
                    errors,
                    c,
                },
            ));
        }
    };
    service::notifications::set_preferences(&state, user.account_id, &choices).await?;
    if alerts != service::notifications::mission_alerts(&state, user.account_id).await? {
        service::notifications::set_mission_alerts(&state, user.account_id, &alerts).await?;
    }
    if let Some(digest) = digest
        && digest != service::digest::frequency(&state, user.account_id).await?
    {
        service::digest::set_frequency(&state, user.account_id, digest).await?;
    }
    Ok(redirect_with_flash(
        &state,
        "/settings/notifications",
        "flash-preferences-saved",
    ))
}

#[derive(Template)]
#[template(path = "settings_delete.html")]
struct DeletePage {
    c: Ctx,
    error: Option<String>,
}

/// The account deletion page.
pub async fn delete_page(c: Ctx) -> AppResult<Response> {
    c.require_user()?;
    Ok(super::render(&DeletePage { c, error: None }))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
}

/// Deletes the account (after the password is given again) and signs out.
pub async fn delete(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> AppResult<Response> {
    let user = c.require_user()?;
    match service::accounts::delete_own_account(&state, user.account_id, &form.password).await {
        Ok(()) => {
            let names = super::context::cookie_names(&state.config);
            let mut response = redirect_with_flash(&state, "/", "flash-account-deleted");
            let gone = super::context::cookie(&state.config, names.session, String::new(), 0);
            if let Ok(v) = HeaderValue::from_str(&gone.to_string()) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(response)
        }
        Err(e) if !e.fields.is_empty() => {
            let error = Some(e.message(c.locale));
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &DeletePage { c, error },
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct LocaleForm {
    #[serde(default)]
    locale: String,
    #[serde(default)]
    next: Option<String>,
}

/// The language menu: remembers the choice in a cookie (and in the account when signed in),
/// then goes back to the page.
pub async fn locale(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<LocaleForm>,
) -> AppResult<Response> {
    let locale = Locale::parse(&form.locale)?;
    if let Some(user) = &c.user {
        service::accounts::set_locale(&state, user.account_id, Some(locale)).await?;
    }
    let names = super::context::cookie_names(&state.config);
    let mut response = Redirect::to(&safe_next(form.next.as_deref())).into_response();
    let cookie = super::context::cookie(
        &state.config,
        names.lang,
        locale.as_str().to_string(),
        365 * 24 * 3600,
    );
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}
