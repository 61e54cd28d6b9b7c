//! What the instance says about itself, as its administrators edit it at `/admin/about`: its
//! name, a short description, how to reach its team (an e-mail address, a local account), an
//! extended description and a privacy policy (both Markdown, shown as sanitized HTML).

use super::{Email, Invalid, Username, check_length};

/// The longest instance name (as the configuration file allows).
pub const MAX_NAME_CHARS: usize = 100;
/// The longest short description.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
/// The longest extended description or privacy policy (Markdown source).
pub const MAX_LONG_TEXT_CHARS: usize = 50_000;

/// The texts of the about page, checked. Empty optional fields are empty strings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AboutInput {
    /// The instance's name: 1 to 100 characters on one line.
    pub name: String,
    /// One paragraph saying what the instance is.
    pub short_description: String,
    /// An address to write to, or empty.
    pub contact_email: String,
    /// The username of a local account to contact, or empty (its existence is the service's
    /// check).
    pub contact_username: String,
    /// Markdown.
    pub extended_description: String,
    /// Markdown.
    pub privacy_policy: String,
}

/// What a form or a stored value gives, before checking.
#[derive(Debug, Clone, Default)]
pub struct AboutFields<'a> {
    /// See [`AboutInput::name`].
    pub name: &'a str,
    /// See [`AboutInput::short_description`].
    pub short_description: &'a str,
    /// See [`AboutInput::contact_email`].
    pub contact_email: &'a str,
    /// See [`AboutInput::contact_username`]; a leading `@` is allowed.
    pub contact_username: &'a str,
    /// See [`AboutInput::extended_description`].
    pub extended_description: &'a str,
    /// See [`AboutInput::privacy_policy`].
    pub privacy_policy: &'a str,
}

fn one_line(field: &'static str, value: &str, min: usize, max: usize) -> Result<(), Invalid> {
    check_length(field, value, min, max)?;
    if value.chars().any(char::is_control) {
        return Err(Invalid::new(field, "error-about-one-line"));
    }
    Ok(())
}

fn long_text(field: &'static str, value: &str, max: usize) -> Result<String, Invalid> {
    check_length(field, value, 0, max)?;
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Invalid::new(field, "error-about-control"));
    }
    Ok(value.replace("\r\n", "\n"))
}

impl AboutInput {
    /// Checks every field, returning every refusal at once.
    pub fn parse(f: &AboutFields<'_>) -> Result<Self, Vec<Invalid>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<String, Invalid>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let name = f.name.trim();
        let name = keep(one_line("name", name, 1, MAX_NAME_CHARS).map(|()| name.to_string()));
        let short_description = keep(long_text(
            "short_description",
            f.short_description.trim(),
            MAX_DESCRIPTION_CHARS,
        ));
        let email = f.contact_email.trim();
        let contact_email = keep(if email.is_empty() {
            Ok(String::new())
        } else {
            Email::parse(email)
                .map(|e| e.as_str().to_string())
                .map_err(|mut e| {
                    e.field = "contact_email";
                    e
                })
        });
        let username = f.contact_username.trim();
        let username = username.strip_prefix('@').unwrap_or(username);
        let contact_username = keep(if username.is_empty() {
            Ok(String::new())
        } else {
            Username::parse(username)
                .map(|u| u.as_str().to_string())
                .map_err(|mut e| {
                    e.field = "contact_username";
                    e
                })
        });
        let extended_description = keep(long_text(
            "extended_description",
            f.extended_description.trim(),
            MAX_LONG_TEXT_CHARS,
        ));
        let privacy_policy = keep(long_text(
            "privacy_policy",
            f.privacy_policy.trim(),
            MAX_LONG_TEXT_CHARS,
        ));
        if errors.is_empty() {
            Ok(AboutInput {
                name,
                short_description,
                contact_email,
                contact_username,
                extended_description,
                privacy_policy,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(name: &'a str, email: &'a str, user: &'a str) -> AboutFields<'a> {
        AboutFields {
            name,
            contact_email: email,
            contact_username: user,
            ..AboutFields::default()
        }
    }

    #[test]
    fn values_are_trimmed_and_normalised() {
        let a = AboutInput::parse(&AboutFields {
            name: "  Coop Lille ",
            short_description: " Le réseau\r\nlillois ",
            contact_email: " Equipe@Example.ORG ",
            contact_username: "@Admin",
            extended_description: "# Titre",
            privacy_policy: "",
        })
        .unwrap();
        assert_eq!(a.name, "Coop Lille");
        assert_eq!(a.short_description, "Le réseau\nlillois");
        assert_eq!(a.contact_email, "equipe@example.org");
        assert_eq!(a.contact_username, "admin");
        assert_eq!(a.extended_description, "# Titre");
    }

    #[test]
    fn every_refusal_is_given_at_once() {
        let e = AboutInput::parse(&fields("", "pas une adresse", "a b")).unwrap_err();
        let got: Vec<_> = e.iter().map(|e| (e.field, e.key)).collect();
        assert_eq!(
            got,
            [
                ("name", "error-required"),
                ("contact_email", "error-email-invalid"),
                ("contact_username", "error-username-chars"),
            ]
        );
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            AboutInput::parse(&fields(&long, "", "")).unwrap_err()[0].key,
            "error-too-long"
        );
        assert_eq!(
            AboutInput::parse(&fields("a\u{7}b", "", "")).unwrap_err()[0].key,
            "error-about-one-line"
        );
        let bad = AboutFields {
            name: "ok",
            privacy_policy: "a\u{0}b",
            ..AboutFields::default()
        };
        assert_eq!(
            AboutInput::parse(&bad).unwrap_err()[0].field,
            "privacy_policy"
        );
    }
}
