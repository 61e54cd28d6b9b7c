//! Hashtags with a real client: Mastodon.py's `tag_follow`, `followed_tags` (and its next page
//! through the `Link` header), `tag`, `featured_tag_create`, `featured_tags`,
//! `featured_tag_suggestions`, `account_featured_tags`, `account_statuses(tagged=)`,
//! `featured_tag_delete` and `tag_unfollow`.
//!
//! The clients live in the virtual environment scripts/test makes (target/clients-venv).
//! Without it these tests print a notice and pass, unless COOPOL_REQUIRE_CLIENTS=1 (set by
//! scripts/test and CI), which makes absence a failure.

#[path = "common/clients.rs"]
mod clients;
mod common;

use clients::{python, run_json, venv};

use common::spawn_app;
use coopol::domain::Role;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_follows_and_features_tags() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let mut cmd = python(&venv, "mastodon_py_tags.py");
    cmd.args([
        app.base.as_str(),
        "alice@example.org",
        "correct horse battery",
    ]);
    let a = run_json("Mastodon.py", cmd).await;
    assert_eq!(a["tag_follow"]["name"], "greve", "{a}");
    assert_eq!(a["tag_follow"]["following"], true, "{a}");
    assert_eq!(a["tag_follow_again"]["following"], true, "{a}");
    assert_eq!(a["followed_tags"], json!(["paris", "greve"]), "{a}");
    assert_eq!(a["followed_first_page"], json!(["paris"]), "{a}");
    assert_eq!(a["followed_second_page"], json!(["greve"]), "{a}");
    assert_eq!(a["tag"]["following"], true, "{a}");
    assert_eq!(a["tag"]["history"][0]["uses"], "2", "{a}");
    let featured = &a["featured_tag_create"];
    assert_eq!(featured["name"], "greve", "{a}");
    assert_eq!(featured["statuses_count"], "2", "{a}");
    assert_eq!(featured["url"], format!("{}/@alice/tagged/greve", app.base));
    assert_eq!(a["featured_tags"], json!(["greve"]), "{a}");
    assert_eq!(a["suggestions"], json!(["lille"]), "{a}");
    assert_eq!(a["account_featured_tags"][0]["name"], "greve", "{a}");
    assert_eq!(a["tagged"].as_array().unwrap().len(), 2, "{a}");
    assert_eq!(a["featured_after_delete"], json!([]), "{a}");
    assert_eq!(a["tag_unfollow"]["following"], false, "{a}");
    assert_eq!(a["followed_after_unfollow"], json!(["paris"]), "{a}");
}
