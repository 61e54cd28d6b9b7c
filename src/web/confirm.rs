//! The second step of a destructive action (deleting a post, cancelling an event, leaving a
//! group, removing or excluding a member, taking a post out of a group): the action's own
//! POST route, sent without `confirm=1`, answers a page that says what will be destroyed, with
//! a "Confirmer" form (the same route, the same fields, `confirm=1` and the CSRF token) and an
//! "Annuler" link back. Only the second POST acts, so a mistaken tap or a forged single
//! request destroys nothing; it works without JavaScript.

use super::{Ctx, render};
use askama::Template;
use axum::response::Response;

/// What a confirmation page shows and sends.
pub struct Confirmation {
    /// The question, as the page's heading ("Supprimer ce message ?").
    pub title: String,
    /// What will be destroyed, in words: a post's text, an event's name and date, a person.
    pub subject: String,
    /// What follows once confirmed.
    pub consequence: String,
    /// Where the confirming form posts: the action's own route.
    pub action: String,
    /// The fields the first form carried, sent again (besides the token and `confirm`).
    pub fields: Vec<(&'static str, String)>,
    /// Where "Annuler" goes: the page the action was asked from.
    pub back: String,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    c: Ctx,
    p: Confirmation,
}

/// Whether a form carries the confirmation (`confirm=1`, sent only by the confirmation page).
pub fn confirmed(value: Option<&str>) -> bool {
    value == Some("1")
}

/// The confirmation page.
pub fn page(c: Ctx, p: Confirmation) -> Response {
    render(&ConfirmPage { c, p })
}

/// A post's words for a confirmation page: its title and text as plain text (its content
/// warning alone when it has one), shortened.
pub fn excerpt(title: Option<&str>, spoiler: &str, html: &str) -> String {
    const MAX: usize = 280;
    let text = if !spoiler.trim().is_empty() {
        spoiler.trim().to_string()
    } else {
        let body = crate::domain::html::to_plain_text(html);
        match title.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => format!("{t}\n{}", body.trim()),
            None => body.trim().to_string(),
        }
    };
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_confirmation_field_confirms() {
        assert!(confirmed(Some("1")));
        for no in [
            None,
            Some(""),
            Some("0"),
            Some("true"),
            Some("yes"),
            Some(" 1"),
        ] {
            assert!(!confirmed(no), "{no:?}");
        }
    }

    #[test]
    fn excerpts_hide_what_a_content_warning_hides_and_are_short() {
        assert_eq!(excerpt(None, "Spoiler", "<p>secret</p>"), "Spoiler");
        assert_eq!(excerpt(Some("Titre"), "", "<p>texte</p>"), "Titre\ntexte");
        let long = format!("<p>{}</p>", "a".repeat(400));
        let short = excerpt(None, "", &long);
        assert!(
            short.ends_with('…') && short.chars().count() == 281,
            "{short}"
        );
    }
}
