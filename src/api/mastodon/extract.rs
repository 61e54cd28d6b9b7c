//! Request extractors for the Mastodon API: parameters as apps send them, and bearer tokens.
//!
//! Apps send parameters every way Rails accepts: JSON bodies, form bodies (Mastodon.py),
//! query strings, `key[]=a&key[]=b` arrays, booleans as `true`/`1`/`"true"`. [`Params`] merges
//! the query string and the body into one JSON object and deserializes that, so handlers see
//! typed values whatever the app did; the `lenient` helpers read the scalar spellings.

use crate::{
    domain::Scopes,
    error::AppError,
    service::{self, oauth::Access},
    state::AppState,
};
use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{Method, StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The largest parameter body accepted.
const MAX_PARAMS_BYTES: usize = 1024 * 1024;

/// Parameters from the query string and the body (JSON or form), decoded into `T`.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let mut map = Map::new();
        if let Some(query) = req.uri().query() {
            merge_form(&mut map, query.as_bytes())?;
        }
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        // Rails reads a DELETE's body too (Mastodon.py sends `account_ids[]` of
        // `DELETE /api/v1/lists/:id/accounts` there), and a GET's JSON body (Mastodon.py
        // sends `id` of `GET /api/v1/accounts/familiar_followers` so).
        let has_body = !matches!(*req.method(), Method::GET | Method::HEAD)
            || content_type.starts_with("application/json");
        let body = axum::body::to_bytes(req.into_body(), MAX_PARAMS_BYTES)
            .await
            .map_err(|_| AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "error-too-large"))?;
        if has_body && !body.iter().all(u8::is_ascii_whitespace) {
            if content_type.starts_with("application/json") {
                match serde_json::from_slice::<Value>(&body) {
                    Ok(Value::Object(fields)) => map.extend(fields),
                    Ok(_) => return Err(AppError::bad_request("error-bad-json")),
                    Err(e) => {
                        return Err(AppError::bad_request("error-bad-json-at")
                            .arg("line", e.line())
                            .arg("column", e.column()));
                    }
                }
            } else if content_type.is_empty()
                || content_type.starts_with("application/x-www-form-urlencoded")
            {
                merge_form(&mut map, &body)?;
            } else if content_type.starts_with("multipart/form-data") {
                merge_multipart(&mut map, &content_type, body).await?;
            } else {
                return Err(AppError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "error-unsupported-content-type",
                ));
            }
        }
        serde_json::from_value(Value::Object(map))
            .map(Params)
            .map_err(|e| AppError::bad_request("error-bad-params").arg("detail", e))
    }
}

/// Adds `application/x-www-form-urlencoded` pairs to a JSON object; `key[]` collects arrays.
fn merge_form(map: &mut Map<String, Value>, bytes: &[u8]) -> Result<(), AppError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(bytes).map_err(|_| AppError::bad_request("error-bad-form"))?;
    for (key, value) in pairs {
        insert_field(map, key, value);
    }
    Ok(())
}

/// Inserts a form field the way Rails reads it: `key[]` appends to an array, `key[a][b]` nests
/// objects (`fields_attributes[0][name]`), anything else is a plain key.
fn insert_field(map: &mut Map<String, Value>, key: String, value: String) {
    let (base, rest) = match key.find('[') {
        Some(i) if i > 0 && key.ends_with(']') => (key[..i].to_string(), key[i..].to_string()),
        _ => {
            map.insert(key, Value::String(value));
            return;
        }
    };
    // `key[][]` is read as `key[]`: Mastodon.py sends a list named `id[]` so (its bulk
    // notification requests), and Rails' nested arrays end flattened in Mastodon's queries.
    if rest == "[]" || rest == "[][]" {
        let entry = map.entry(base).or_insert_with(|| Value::Array(Vec::new()));
        match entry {
            Value::Array(items) => items.push(Value::String(value)),
            other => *other = Value::Array(vec![Value::String(value)]),
        }
        return;
    }
    // `key[a][]` (`poll[options][]`): an array inside an object.
    let (inner, array) = match rest.strip_suffix("[]") {
        Some(inner) => (inner, true),
        None => (rest.as_str(), false),
    };
    let segments: Vec<&str> = inner[1..inner.len() - 1].split("][").collect();
    if segments
        .iter()
        .any(|s| s.is_empty() || s.contains(['[', ']']))
        || segments.len() > 4
    {
        map.insert(key, Value::String(value));
        return;
    }
    let mut node = map.entry(base).or_insert_with(|| Value::Object(Map::new()));
    for (n, segment) in segments.iter().enumerate() {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let object = node.as_object_mut().expect("just made an object");
        if n == segments.len() - 1 {
            if array {
                let entry = object
                    .entry(segment.to_string())
                    .or_insert_with(|| Value::Array(Vec::new()));
                match entry {
                    Value::Array(items) => items.push(Value::String(value)),
                    other => *other = Value::Array(vec![Value::String(value)]),
                }
            } else {
                object.insert(segment.to_string(), Value::String(value));
            }
            return;
        }
        node = object
            .entry(segment.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Parameters from text fields already read (a multipart body whose files were spooled by
/// `crate::upload`), with the same Rails-style nested keys as [`Params`].
pub fn params_from_texts<T: DeserializeOwned>(
    texts: impl IntoIterator<Item = (String, String)>,
) -> Result<T, AppError> {
    let mut map = Map::new();
    for (name, text) in texts {
        insert_field(&mut map, name, text);
    }
    serde_json::from_value(Value::Object(map))
        .map_err(|e| AppError::bad_request("error-bad-params").arg("detail", e))
}

/// Adds the text fields of a `multipart/form-data` body (as apps send when a form may carry
/// files; files themselves are not accepted by these endpoints).
async fn merge_multipart(
    map: &mut Map<String, Value>,
    content_type: &str,
    body: axum::body::Bytes,
) -> Result<(), AppError> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| AppError::bad_request("error-bad-form"))?;
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::bad_request("error-bad-form"))?
    {
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        if field.file_name().is_some() {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-files-not-accepted",
            ));
        }
        let text = field
            .text()
            .await
            .map_err(|_| AppError::bad_request("error-bad-form"))?;
        insert_field(map, name, text);
    }
    Ok(())
}

/// Deserializers that accept the spellings apps use for scalars.
pub mod lenient {
    use serde::{Deserialize, Deserializer, de::Error};
    use serde_json::Value;

    /// A boolean from `true`, `"true"`, `"1"`, `1`, `"on"` (and their negations).
    pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(b) => Ok(b),
            Value::Number(n) => Ok(n.as_i64() != Some(0)),
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "on" | "yes" => Ok(true),
                "false" | "0" | "off" | "no" | "" => Ok(false),
                _ => Err(D::Error::custom(format!("expected a boolean, got {s:?}"))),
            },
            Value::Null => Ok(false),
            other => Err(D::Error::custom(format!("expected a boolean, got {other}"))),
        }
    }

    /// A string, from a string or a number.
    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(D::Error::custom(format!("expected a string, got {other}"))),
        }
    }

    /// A list of strings, from an array or one space-separated string (`redirect_uris` comes
    /// both ways).
    pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s]),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(D::Error::custom(format!("expected a string, got {other}"))),
                })
                .collect(),
            Some(other) => Err(D::Error::custom(format!("expected strings, got {other}"))),
        }
    }

    /// A space-separated list given as a string or an array (`scopes`).
    /// A list of strings when the parameter is present (even empty), `None` when absent
    /// (with `#[serde(default)]`): `media_ids` on an edit keeps the media when absent.
    pub fn opt_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        strings(d).map(Some)
    }

    pub fn space_separated<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(Some(strings(d)?.join(" ")).filter(|s| !s.is_empty()))
    }
}

/// The bearer token of the request, if any: the `Authorization: Bearer` header, or the
/// `access_token` query parameter some clients use.
pub(crate) fn bearer_token(parts: &Parts) -> Option<String> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string());
    }
    let query = parts.uri.query()?;
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v)
}

/// A request that must carry a valid token.
pub struct Auth(pub Access);

/// The bearer token as the request carried it (for the one endpoint that keeps it: a push
/// subscription sends it back to its app inside the encrypted payload). Check it with
/// [`Auth`] too.
pub struct BearerText(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerText {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        bearer_token(parts)
            .map(BearerText)
            .ok_or_else(|| AppError::unauthorized("error-token-invalid"))
    }
}

/// A request that may carry a valid token (a token that is present must be valid).
pub struct MaybeAuth(pub Option<Access>);

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token =
            bearer_token(parts).ok_or_else(|| AppError::unauthorized("error-token-invalid"))?;
        Ok(Auth(
            service::oauth::authenticate_bearer(state, &token).await?,
        ))
    }
}

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match bearer_token(parts) {
            Some(token) => Ok(MaybeAuth(Some(
                service::oauth::authenticate_bearer(state, &token).await?,
            ))),
            None => Ok(MaybeAuth(None)),
        }
    }
}

impl Auth {
    /// Refuses the call unless the token holds one of `scopes`.
    pub fn require(&self, scopes: &[&str]) -> Result<&Access, AppError> {
        if self.0.scopes.allows_any(scopes) {
            Ok(&self.0)
        } else {
            Err(AppError::forbidden("error-scope-missing"))
        }
    }

    /// Refuses the call unless the token holds one of `scopes` and acts for a person.
    pub fn require_user(&self, scopes: &[&str]) -> Result<&crate::db::accounts::UserRow, AppError> {
        let access = self.require(scopes)?;
        access
            .user
            .as_ref()
            .ok_or_else(|| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-user-required"))
    }

    /// The token's scopes.
    pub fn scopes(&self) -> &Scopes {
        &self.0.scopes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_nest_like_rails() {
        let mut map = Map::new();
        merge_form(
            &mut map,
            b"fields_attributes[0][name]=Section&fields_attributes[0][value]=Lille&fields_attributes[1][name]=Site&odd[=x&poll[options][]=a&poll[options][]=b&poll[expires_in]=300&x[][y]=1",
        )
        .unwrap();
        assert_eq!(
            Value::Object(map),
            serde_json::json!({
                "fields_attributes": {"0": {"name": "Section", "value": "Lille"}, "1": {"name": "Site"}},
                "odd[": "x",
                "poll": {"options": ["a", "b"], "expires_in": "300"},
                "x[][y]": "1"
            })
        );
    }

    #[test]
    fn forms_collect_arrays() {
        let mut map = Map::new();
        merge_form(&mut map, b"a=1&b[]=x&b[]=y&c=%C3%A9").unwrap();
        assert_eq!(
            Value::Object(map),
            serde_json::json!({"a": "1", "b": ["x", "y"], "c": "é"})
        );
    }

    #[derive(serde::Deserialize)]
    struct Flags {
        #[serde(deserialize_with = "lenient::bool", default)]
        on: bool,
        #[serde(deserialize_with = "lenient::strings", default)]
        list: Vec<String>,
    }

    #[test]
    fn scalars_are_read_leniently() {
        for (v, want) in [
            (serde_json::json!({"on": "true"}), true),
            (serde_json::json!({"on": "0"}), false),
            (serde_json::json!({"on": true}), true),
            (serde_json::json!({"on": 1}), true),
            (serde_json::json!({}), false),
        ] {
            let f: Flags = serde_json::from_value(v).unwrap();
            assert_eq!(f.on, want);
        }
        assert!(serde_json::from_value::<Flags>(serde_json::json!({"on": "maybe"})).is_err());
        let f: Flags = serde_json::from_value(serde_json::json!({"list": "a b"})).unwrap();
        assert_eq!(f.list, vec!["a b"]);
    }
}
