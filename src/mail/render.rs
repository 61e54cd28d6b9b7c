//! A [`Mail`] made into its subject, HTML and plain text, in the recipient's language. Every
//! message has the same shape (a greeting, paragraphs, perhaps a quote and a button, a footer),
//! filled from the catalogs (`locales/*/mail.ftl`) and laid out by the templates
//! `mail.html` and `mail.txt`.

use super::{Mail, one_line};
use crate::{domain::Locale, i18n};
use askama::Template;

/// A message ready to send.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The subject (one line).
    pub subject: String,
    /// The HTML part.
    pub html: String,
    /// The plain-text part.
    pub text: String,
    /// The one-click unsubscribe address (`List-Unsubscribe`), for messages that are not
    /// transactional.
    pub unsubscribe: Option<String>,
    /// An iCalendar file to attach (`event.ics`).
    pub calendar: Option<String>,
}

/// A button: its label and where it leads.
struct Action {
    label: String,
    url: String,
}

/// A titled list of links (a digest's sections).
struct Section {
    title: String,
    items: Vec<super::DigestItem>,
}

/// What both templates lay out.
struct Body {
    greeting: String,
    paragraphs: Vec<String>,
    sections: Vec<Section>,
    quote: Option<String>,
    action: Option<Action>,
    /// A second, lesser link under the button.
    secondary: Option<Action>,
    after: Vec<String>,
    footer: String,
    unsubscribe: Option<Action>,
}

impl Body {
    /// The quote as plain text quotes it: each line after `> `.
    fn quoted(&self) -> String {
        self.quote
            .as_deref()
            .unwrap_or_default()
            .lines()
            .map(|l| format!("> {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[derive(Template)]
#[template(path = "mail.html")]
struct HtmlMail<'a> {
    lang: &'a str,
    subject: &'a str,
    b: &'a Body,
}

#[derive(Template)]
#[template(path = "mail.txt")]
struct TextMail<'a> {
    b: &'a Body,
}

/// Renders `mail` in `locale` for an instance named `instance` at `base_url`.
pub fn render(
    mail: &Mail,
    locale: Locale,
    instance: &str,
    base_url: &str,
) -> Result<Rendered, askama::Error> {
    let t = |key: &str| i18n::t(locale, key);
    let ta = |key: &str, args: &[(&str, &str)]| {
        let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (*k, v.to_string())).collect();
        i18n::t_args(locale, key, &args)
    };
    let greet = |username: &str| ta("mail-greeting", &[("username", username)]);
    let action = |key: &str, url: &str| {
        Some(Action {
            label: t(key),
            url: url.to_string(),
        })
    };
    let inst = [("instance", instance)];
    let (subject, mut body) = match mail {
        Mail::ConfirmEmail { username, link } => (
            ta("mail-confirm-subject", &inst),
            Body {
                greeting: greet(username),
                paragraphs: vec![t("mail-confirm-body")],
                sections: Vec::new(),
                quote: None,
                action: action("mail-confirm-action", link),
                secondary: None,
                after: vec![t("mail-ignore")],
                footer: String::new(),
                unsubscribe: None,
            },
        ),
        Mail::ConfirmEmailChange { username, link } => (
            ta("mail-confirm-change-subject", &inst),
            Body {
                greeting: greet(username),
                paragraphs: vec![t("mail-confirm-change-body")],
                sections: Vec::new(),
                quote: None,
                action: action("mail-confirm-action", link),
                secondary: None,
                after: vec![t("mail-ignore")],
                footer: String::new(),
                unsubscribe: None,
            },
        ),
        Mail::EmailChanging {
            username,
            new_email,
        } => (
            ta("mail-email-changing-subject", &inst),
            Body {
                greeting: greet(username),
                paragraphs: vec![ta("mail-email-changing-body", &[("new_email", new_email)])],
                sections: Vec::new(),
                quote: None,
                action: None,
                secondary: None,
                after: vec![t("mail-email-changing-warning")],
                footer: String::new(),
                unsubscribe: None,
            },
        ),
        Mail::PasswordReset { username, link } => (
            ta("mail-reset-subject", &inst),
            Body {
                greeting: greet(username),
                paragraphs: vec![t("mail-reset-body")],
                sections: Vec::new(),
                quote: None,
                action: action("mail-reset-action", link),
                secondary: None,
                after: vec![t("mail-ignore")],
                footer: String::new(),
                unsubscribe: None,
            },
        ),
        Mail::AddressInUse { sign_in, reset } => (
            ta("mail-address-in-use-subject", &inst),
            Body {
                greeting: t("mail-greeting-anonymous"),
                paragraphs: vec![
                    t("mail-address-in-use-body"),
                    ta("mail-address-in-use-sign-in", &[("url", sign_in)]),
                ],
                sections: Vec::new(),
                quote: None,
                action: action("mail-reset-action", reset),
                secondary: None,
                after: vec![t("mail-ignore")],
                footer: String::new(),
                unsubscribe: None,
            },
        ),
        Mail::RegistrationApproved { username, link } => (
            ta("mail-approved-subject", &inst),
            Body {
                greeting: greet(username),
                paragraphs: vec![ta("mail-approved-body", &inst)],
                sections: Vec::new(),
                quote: None,
                action: action("mail-approved-action", link),
                secondary: None,
                after: Vec::new(),
                footer: String::new(),
                unsubscribe: None,
            },
        ),
        Mail::RegistrationRefused { username } => (
            ta("mail-refused-subject", &inst),
            Body {
                greeting: greet(username),
                paragraphs: vec![ta("mail-refused-body", &inst)],
                sections: Vec::new(),
                quote: None,
                action: None,
                secondary: None,
                after: Vec::new(),
                footer: String::new(),
                unsubscribe: None,
            },
        ),
        Mail::Sanction {
            username,
            action: kind,
            text,
            link,
        } => (
            ta(
                "mail-sanction-subject",
                &[("instance", instance), ("action", kind)],
            ),
            Body {
                greeting: greet(username),
                paragraphs: vec![ta(
                    "mail-sanction-body",
                    &[("instance", instance), ("action", kind)],
                )],
                sections: Vec::new(),
                quote: (!text.trim().is_empty()).then(|| text.trim().to_string()),
                action: action("mail-sanction-action", link),
                secondary: None,
                after: vec![t("mail-sanction-appeal")],
                footer: String::new(),
                unsubscribe: None,
            },
        ),
        Mail::Notification {
            notification,
            actor,
            handle,
            excerpt,
            link,
            unsubscribe,
            leave,
            calendar: _,
        } => {
            // Names and texts come from anyone, other servers included: one line each.
            let actor = one_line(actor);
            let who = format!("{actor} ({})", one_line(handle));
            // A Fluent variant's name has no dot (`admin.sign_up`).
            let kind = notification.replace('.', "_");
            let args = [("kind", kind.as_str()), ("actor", who.as_str())];
            (
                ta(
                    "mail-notification-subject",
                    &[("kind", &kind), ("actor", &actor)],
                ),
                Body {
                    greeting: t("mail-greeting-anonymous"),
                    paragraphs: vec![ta("mail-notification-subject", &args)],
                    sections: Vec::new(),
                    quote: (!excerpt.trim().is_empty()).then(|| excerpt.trim().to_string()),
                    action: Some(Action {
                        label: ta("mail-notification-action", &inst),
                        url: link.clone(),
                    }),
                    secondary: leave.as_ref().map(|url| Action {
                        label: t("mail-leave-action"),
                        url: url.clone(),
                    }),
                    after: vec![t("mail-notification-why")],
                    footer: String::new(),
                    unsubscribe: Some(Action {
                        label: t("mail-unsubscribe"),
                        url: unsubscribe.clone(),
                    }),
                },
            )
        }
        Mail::Digest {
            username,
            frequency,
            discussions,
            events,
            missions,
            unsubscribe,
        } => {
            let section = |key: &str, items: &[super::DigestItem]| Section {
                title: t(key),
                items: items
                    .iter()
                    .map(|i| super::DigestItem {
                        title: one_line(&i.title),
                        detail: one_line(&i.detail),
                        link: i.link.clone(),
                    })
                    .collect(),
            };
            let sections = [
                section("mail-digest-missions", missions),
                section("mail-digest-events", events),
                section("mail-digest-discussions", discussions),
            ]
            .into_iter()
            .filter(|s| !s.items.is_empty())
            .collect();
            let frequency = if frequency == "weekly" {
                "weekly"
            } else {
                "daily"
            };
            (
                ta(
                    "mail-digest-subject",
                    &[("instance", instance), ("frequency", frequency)],
                ),
                Body {
                    greeting: greet(username),
                    paragraphs: vec![ta("mail-digest-body", &[("frequency", frequency)])],
                    sections,
                    quote: None,
                    action: None,
                    secondary: None,
                    after: vec![t("mail-digest-why")],
                    footer: String::new(),
                    unsubscribe: Some(Action {
                        label: t("mail-digest-unsubscribe"),
                        url: unsubscribe.clone(),
                    }),
                },
            )
        }
    };
    body.footer = ta(
        "mail-footer",
        &[
            ("instance", instance),
            ("url", base_url.trim_end_matches('/')),
        ],
    );
    let subject = one_line(&subject);
    let html = HtmlMail {
        lang: locale.as_str(),
        subject: &subject,
        b: &body,
    }
    .render()?;
    let text = TextMail { b: &body }.render()?;
    Ok(Rendered {
        subject,
        html,
        text,
        unsubscribe: mail.unsubscribe().map(str::to_string),
        calendar: mail.calendar().map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_is_rendered_in_each_language_with_its_link() {
        let mail = Mail::PasswordReset {
            username: "ana".into(),
            link: "http://x.example/auth/password/edit?token=abc&x=1".into(),
        };
        let fr = render(&mail, Locale::Fr, "Coop", "http://x.example/").unwrap();
        let en = render(&mail, Locale::En, "Coop", "http://x.example/").unwrap();
        assert_ne!(fr.subject, en.subject);
        assert!(
            fr.text
                .contains("http://x.example/auth/password/edit?token=abc&x=1")
        );
        assert!(fr.html.contains("token=abc&#38;x=1"), "{}", fr.html);
        assert!(fr.html.contains("lang=\"fr\""));
        assert!(en.html.contains("lang=\"en\""));
        assert!(fr.unsubscribe.is_none());
    }

    #[test]
    fn names_from_elsewhere_are_escaped_and_kept_on_one_line() {
        let mail = Mail::Notification {
            notification: "mention".into(),
            actor: "<b>Eve</b>\r\nBcc: victim@x.example".into(),
            handle: "@eve@evil.example".into(),
            excerpt: "<script>alert(1)</script>".into(),
            link: "http://x.example/@ana/1".into(),
            unsubscribe: "http://x.example/mail/unsubscribe/t".into(),
            leave: None,
            calendar: None,
        };
        let r = render(&mail, Locale::En, "Coop", "http://x.example").unwrap();
        assert!(!r.subject.contains('\n') && !r.subject.contains('\r'));
        assert!(r.subject.contains("Bcc: victim"), "{}", r.subject);
        assert!(!r.html.contains("<script>") && !r.html.contains("<b>Eve"));
        assert!(r.text.contains("<script>alert(1)</script>"));
        assert_eq!(
            r.unsubscribe.as_deref(),
            Some("http://x.example/mail/unsubscribe/t")
        );
    }
}
