//! What every page needs to know about the request: the language, the signed-in person, the
//! CSRF token and a one-time message. The web layer (see `web::layer`) builds it once per
//! request; handlers take it as the [`Ctx`] extractor.

use super::dates::{self, TimeHtml};
use crate::{
    config::Config,
    db::accounts::{AccountRow, UserRow},
    domain::Locale,
    error::AppError,
    i18n,
    state::AppState,
};
use axum::{extract::FromRequestParts, http::request::Parts};
use axum_extra::extract::cookie::{Cookie, SameSite};

/// Cookie names. Under HTTPS they take the `__Host-` prefix, which browsers only accept from
/// this exact host over a secure connection: a neighbouring subdomain cannot plant them.
pub struct CookieNames {
    /// The session token.
    pub session: &'static str,
    /// The CSRF token.
    pub csrf: &'static str,
    /// The chosen language of visitors who are not signed in.
    pub lang: &'static str,
    /// A one-time message key shown after a redirect.
    pub flash: &'static str,
}

const PLAIN: CookieNames = CookieNames {
    session: "coopol_session",
    csrf: "coopol_csrf",
    lang: "coopol_lang",
    flash: "coopol_flash",
};
const SECURE: CookieNames = CookieNames {
    session: "__Host-coopol_session",
    csrf: "__Host-coopol_csrf",
    lang: "__Host-coopol_lang",
    flash: "__Host-coopol_flash",
};

/// The cookie names for this instance.
pub fn cookie_names(config: &Config) -> &'static CookieNames {
    if config.is_https() { &SECURE } else { &PLAIN }
}

/// A cookie as coopol sets them: HttpOnly, SameSite=Lax (so following a link from elsewhere
/// keeps you signed in, while cross-site form posts carry no cookie), path `/`, and `Secure`
/// under HTTPS.
pub fn cookie(
    config: &Config,
    name: &'static str,
    value: String,
    max_age_secs: i64,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(config.is_https())
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build()
}

/// Everything a page needs about the current request.
#[derive(Clone)]
pub struct Ctx {
    /// The interface language.
    pub locale: Locale,
    /// The signed-in person.
    pub user: Option<UserRow>,
    /// Their account, read with them.
    pub account: Option<AccountRow>,
    /// The raw session token, when signed in.
    pub session_token: Option<String>,
    /// The CSRF token every form must send back.
    pub csrf: String,
    /// The instance's name.
    pub instance_name: String,
    /// The instance's domain.
    pub domain: String,
    /// The path and query of this page (to come back to after changing language).
    pub path: String,
    /// A one-time message key to show.
    pub flash: Option<String>,
    /// How many notifications the signed-in person has not seen (pages shown by GET only).
    pub unread: i64,
    /// The reader's time zone: the one they chose, or the instance's.
    pub zone: chrono_tz::Tz,
}

impl Ctx {
    /// A text in the page's language.
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.locale, key)
    }

    /// A text with one argument.
    pub fn ta(&self, key: &str, name: &'static str, value: &str) -> String {
        i18n::t_args(self.locale, key, &[(name, value.to_string())])
    }

    /// Whether the signed-in person is an administrator.
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role.is_admin())
    }

    /// The languages offered, for the language menu.
    pub fn locales(&self) -> &'static [Locale] {
        &Locale::ALL
    }

    /// The URL of a static file (with its fingerprint).
    pub fn asset(&self, name: &str) -> String {
        super::assets::url(name)
    }

    /// An account's handle in paths: `name` here, `name@domain` elsewhere.
    pub fn handle_of(&self, a: &crate::db::accounts::AccountRow) -> String {
        match &a.domain {
            Some(d) => format!("{}@{d}", a.username),
            None => a.username.clone(),
        }
    }

    /// An account's full handle, `name@domain`, as mentions spell it.
    pub fn full_handle(&self, a: &crate::db::accounts::AccountRow) -> String {
        a.acct(&self.domain)
    }

    /// The name to show for an account.
    pub fn name_of(&self, a: &crate::db::accounts::AccountRow) -> String {
        if a.display_name.trim().is_empty() {
            a.username.clone()
        } else {
            a.display_name.clone()
        }
    }

    /// An account's page on this instance.
    pub fn profile_path(&self, a: &crate::db::accounts::AccountRow) -> String {
        format!("/@{}", self.handle_of(a))
    }

    /// A post's page on this instance (its thread).
    pub fn status_path(&self, v: &crate::service::views::StatusView) -> String {
        format!("/@{}/{}", self.handle_of(&v.author.row), v.row.id)
    }

    /// The avatar of an account.
    pub fn avatar_of(&self, a: &crate::db::accounts::AccountRow) -> String {
        a.avatar_url
            .clone()
            .unwrap_or_else(|| self.asset("avatar.png"))
    }

    /// The address of a medium's file on this server; with `small`, its preview (a picture's
    /// smaller copy, a video's poster), or the file itself when it has none.
    pub fn media_src(&self, m: &crate::db::media::MediaRow, small: bool) -> String {
        use crate::service::media::Variant;
        let original = || crate::service::media::path(m, Variant::Original).unwrap_or_default();
        if small {
            crate::service::media::path(m, Variant::Small).unwrap_or_else(original)
        } else {
            original()
        }
    }

    /// A picture's `srcset`: its preview and its file with their widths (empty when a width
    /// is unknown), so that a phone loads the small one.
    pub fn media_srcset(&self, m: &crate::db::media::MediaRow) -> String {
        match (m.preview_width, m.width, m.preview_key.is_some()) {
            (Some(small), Some(full), true) if small > 0 && full > small => format!(
                "{} {small}w, {} {full}w",
                self.media_src(m, true),
                self.media_src(m, false)
            ),
            _ => String::new(),
        }
    }

    /// Whether a medium is shown as a picture.
    pub fn is_picture(&self, m: &crate::db::media::MediaRow) -> bool {
        m.kind == crate::domain::media::MediaKind::Image
    }

    /// Whether a medium is shown as a video (an animated picture made a video included).
    pub fn is_video(&self, m: &crate::db::media::MediaRow) -> bool {
        matches!(
            m.kind,
            crate::domain::media::MediaKind::Video | crate::domain::media::MediaKind::Gifv
        )
    }

    /// Whether a medium is a sound.
    pub fn is_audio(&self, m: &crate::db::media::MediaRow) -> bool {
        m.kind == crate::domain::media::MediaKind::Audio
    }

    /// A medium's preview has a size (`width`, `height`) for the page's layout.
    pub fn media_size(&self, m: &crate::db::media::MediaRow) -> (i64, i64) {
        match (m.preview_width.or(m.width), m.preview_height.or(m.height)) {
            (Some(w), Some(h)) if w > 0 && h > 0 => (w, h),
            _ => (640, 360),
        }
    }

    /// A file's size as people read it, in the page's language (`12 ko`, `1,5 Mo`).
    pub fn file_size(&self, bytes: &i64) -> String {
        let bytes = (*bytes).max(0) as f64;
        let (value, key) = if bytes >= 1024.0 * 1024.0 {
            (bytes / (1024.0 * 1024.0), "media-size-mb")
        } else {
            ((bytes / 1024.0).max(1.0), "media-size-kb")
        };
        let mut number = if value >= 10.0 || key == "media-size-kb" {
            format!("{value:.0}")
        } else {
            format!("{value:.1}")
        };
        if self.locale == Locale::Fr {
            number = number.replace('.', ",");
        }
        self.ta(key, "size", &number)
    }

    /// Who reads this page's dates (see [`super::dates`]).
    pub fn reader(&self) -> dates::Reader {
        dates::Reader {
            locale: self.locale,
            zone: self.zone,
            now: crate::clock::now(),
        }
    }

    /// A moment in the reader's language and zone, as a `<time>` element: "sam. 12 déc.,
    /// 8 h 30".
    pub fn when(&self, micros: &i64) -> TimeHtml {
        dates::moment(&self.reader(), *micros)
    }

    /// A range in the reader's zone: "sam. 12 déc., 8 h – 10 h".
    pub fn when_range(&self, start: &i64, end: &i64) -> TimeHtml {
        dates::range(&self.reader(), *start, *end)
    }

    /// How long ago, for posts and notifications: "il y a 3 min", "hier", then the day.
    pub fn ago(&self, micros: &i64) -> TimeHtml {
        dates::ago(&self.reader(), *micros)
    }

    /// A day without its time: "sam. 12 déc.".
    pub fn day(&self, micros: &i64) -> TimeHtml {
        dates::day(&self.reader(), *micros)
    }

    /// A translated sentence with a moment in it (`key` takes it as `name`).
    pub fn ta_when(&self, key: &str, name: &str, micros: &i64) -> TimeHtml {
        dates::sentence(self.locale, key, name, &self.when(micros))
    }

    /// An event's times in its own zone (named when it is not the reader's), then its place,
    /// on one line; a cancelled event says so first.
    pub fn event_when(&self, row: &crate::db::events::EventRow) -> TimeHtml {
        let times = dates::range_in(&self.reader(), row.timezone.0, row.starts_at, row.ends_at);
        let mut parts = vec![times.as_str().to_string()];
        if row.status == crate::domain::event::EventStatus::Cancelled {
            parts.insert(
                0,
                format!("❌ {}", dates::escape(&self.t("event-summary-cancelled"))),
            );
        }
        for place in crate::service::events::where_parts(row) {
            parts.push(dates::escape(&place));
        }
        TimeHtml::from_built(parts.join(" · "))
    }

    /// The label of a visibility.
    pub fn visibility_label(&self, v: impl std::fmt::Display) -> String {
        self.t(&format!("visibility-{v}"))
    }

    /// Whether a post belongs to the signed-in person.
    pub fn owns(&self, v: &crate::service::views::StatusView) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.account_id == v.row.account_id)
    }

    /// Whether a post may be boosted (public or unlisted).
    pub fn boostable(&self, v: &crate::service::views::StatusView) -> bool {
        v.row.visibility.is_public()
    }

    /// Which place of the navigation this page belongs to (`home`, `groups`, `agenda`,
    /// `missions`, `notifications`, `public`, `direct`, `search`, `settings`, `admin`, `reports`,
    /// `about`, `sign-in`, `sign-up`), read from its path; `""` for the others (profiles,
    /// threads, a group's own page: their addresses do not say).
    pub fn section(&self) -> &'static str {
        section_of(&self.path)
    }

    /// Whether this page belongs to `place` of the navigation (see [`Ctx::section`]): the menus
    /// mark that link `aria-current="page"`.
    pub fn current(&self, place: &str) -> bool {
        !place.is_empty() && self.section() == place
    }

    /// The signed-in person, or an error that sends them to the sign-in page.
    pub fn require_user(&self) -> Result<&UserRow, AppError> {
        self.user
            .as_ref()
            .ok_or_else(|| AppError::unauthorized("error-sign-in-required"))
    }

    /// The signed-in person's own account, or an error that sends them to the sign-in page.
    pub fn me(&self) -> Result<AccountRow, AppError> {
        self.require_user()?;
        self.account
            .clone()
            .ok_or_else(|| AppError::unauthorized("error-sign-in-required"))
    }

    /// A post's content warning as text, to be escaped like any text. Local ones are stored as
    /// their author typed them; remote ones as sanitized HTML (`summary` is HTML in
    /// ActivityPub), whose markup is dropped and entities decoded here.
    pub fn spoiler_of(&self, row: &crate::db::statuses::StatusRow) -> String {
        spoiler_text(row)
    }

    /// The signed-in administrator, or 403 (401 when not signed in).
    pub fn require_admin(&self) -> Result<&UserRow, AppError> {
        let user = self.require_user()?;
        if !self.is_admin() {
            return Err(AppError::forbidden("error-admin-only"));
        }
        Ok(user)
    }
}

/// The place of the navigation a path (with its query) belongs to (see [`Ctx::section`]).
pub fn section_of(path: &str) -> &'static str {
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let under = |prefix: &str| {
        path == prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    match path {
        "/" => "home",
        _ if under("/groups") => "groups",
        _ if under("/agenda") || under("/events") => "agenda",
        _ if under("/missions") => "missions",
        _ if under("/notifications") || under("/follow_requests") => "notifications",
        _ if under("/public") || under("/tags") => "public",
        _ if under("/direct") => "direct",
        _ if under("/search") => "search",
        _ if under("/settings") => "settings",
        _ if under("/admin/reports") => "reports",
        _ if under("/admin") => "admin",
        _ if under("/about") => "about",
        _ if under("/auth/sign_in") => "sign-in",
        _ if under("/auth/sign_up") => "sign-up",
        _ => "",
    }
}

/// A post's content warning as plain text (see [`Ctx::spoiler_of`]).
pub fn spoiler_text(row: &crate::db::statuses::StatusRow) -> String {
    if row.local != 0 {
        row.spoiler_text.clone()
    } else {
        crate::domain::html::to_plain_text(&row.spoiler_text)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("web layer missing on this route")))
    }
}

#[cfg(test)]
mod tests {
    use super::section_of;

    #[test]
    fn pages_belong_to_their_place_of_the_navigation() {
        for (path, place) in [
            ("/", "home"),
            ("/?max_id=12", "home"),
            ("/groups", "groups"),
            ("/groups/pau/members?after=3", "groups"),
            ("/groupsfoo", ""),
            ("/agenda?view=month", "agenda"),
            ("/events/123", "agenda"),
            ("/missions", "missions"),
            ("/notifications/requests", "notifications"),
            ("/follow_requests", "notifications"),
            ("/public?local=1", "public"),
            ("/tags/pau", "public"),
            ("/direct", "direct"),
            ("/search?q=x", "search"),
            ("/settings/password", "settings"),
            ("/admin/reports/4", "reports"),
            ("/admin", "admin"),
            ("/admin/log", "admin"),
            ("/about", "about"),
            ("/auth/sign_in?next=/", "sign-in"),
            ("/auth/sign_up", "sign-up"),
            ("/@ana", ""),
            ("/@pau/123", ""),
        ] {
            assert_eq!(section_of(path), place, "{path}");
        }
    }
}
