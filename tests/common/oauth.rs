//! A token for a test that drives a coopol binary of its own over HTTP (no `TestApp`): an app
//! registered at `base`, then the password grant. Included by path
//! (`#[path = "common/oauth.rs"] mod oauth;`).

/// An access token of scopes "read write" for the person signing in with `login`/`password`.
pub async fn password_token(
    client: &reqwest::Client,
    base: &str,
    login: &str,
    password: &str,
) -> String {
    let app: serde_json::Value = client
        .post(format!("{base}/api/v1/apps"))
        .form(&[
            ("client_name", "test"),
            ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
            ("scopes", "read write"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let answer: serde_json::Value = client
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("username", login),
            ("password", password),
            ("scope", "read write"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {answer}"))
        .to_string()
}
