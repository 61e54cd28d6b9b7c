//! Who signed a request: finds the signing key (stored, or fetched from the key owner's actor
//! document), verifies the signature, and on failure fetches the actor once more in case it
//! rotated its key. Used by the inboxes (POST) and by authorized fetch (signed GETs).

use super::{
    objects::ApAccount,
    signatures::{self, Pending, SignatureError, VerifyingKey},
};
use crate::{db::accounts::AccountRow, state::AppState};
use activitypub_federation::fetch::object_id::ObjectId;
use http::{HeaderMap, Method};
use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};
use url::Url;

/// The Host values a signature may cover: ours as configured (`domain`, with its port when the
/// public URL has one), and the host alone (Gancio signs it without the port). Never the Host
/// header received: a request signed for another server (one of ours signed a GET to a
/// hostile server, which replays it here with its own Host) must not verify here
/// (docs/SECURITY.md, rule T8). A proxy in front of coopol must pass the public host on, as
/// the README's nginx and Caddy examples do; peers sign the host they were told, which is the
/// one in our public URL.
fn host_candidates(state: &AppState) -> Vec<String> {
    let mut hosts = vec![state.config.domain.clone()];
    let bare = state
        .config
        .public_url
        .host_str()
        .unwrap_or_default()
        .to_string();
    if !hosts.contains(&bare) {
        hosts.push(bare);
    }
    hosts
}

/// Parses and verifies a request's signature; returns the signing account (shared with the
/// cache of verified signers: a busy inbox would otherwise copy it for every request).
pub async fn signer(
    state: &AppState,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<Arc<AccountRow>, SignatureError> {
    let hosts = host_candidates(state);
    let pending = signatures::parse(method, path_and_query, headers, body, &hosts)?;
    let owner = pending
        .key_owner()
        .ok_or_else(|| SignatureError::Malformed("keyId is not a URL".into()))?;
    if owner.scheme() != state.config.public_url.scheme() && state.config.is_https() {
        return Err(SignatureError::Key(
            "keys are fetched over https only".into(),
        ));
    }

    if let Some((account, key)) = crate::federation::runtime(state)
        .signers
        .get(&pending.key_id)
    {
        if pending.verify(&key).is_ok() {
            return Ok(account);
        }
        // Perhaps a new key under the same id: read the actor again below.
        crate::federation::runtime(state)
            .signers
            .forget(&account.uri);
    }

    // Read before the database: an actor forgotten meanwhile is not remembered from a read
    // that may predate its change.
    let epoch = crate::federation::runtime(state).signers.epoch();
    let data = crate::federation::data(state);
    let stored = crate::db::accounts::by_key_id(state.pool(), &pending.key_id)
        .await
        .map_err(|e| SignatureError::Key(e.to_string()))?;
    let account = match stored {
        Some(account) if account.deleted_at.is_none() => {
            if let Ok(key) = verify_with(&pending, &account) {
                let account = Arc::new(account);
                crate::federation::runtime(state).signers.put(
                    &pending.key_id,
                    &account,
                    key,
                    epoch,
                );
                return Ok(account);
            }
            // The key may have changed: fetch the actor once more.
            refetch(state, &owner).await?
        }
        _ => {
            let fetched = ObjectId::<ApAccount>::from(owner.clone())
                .dereference(&data)
                .await
                .map_err(|e| SignatureError::Key(e.message(crate::domain::Locale::En)))?;
            fetched.row
        }
    };
    if account.key_id.as_deref() != Some(pending.key_id.as_str()) && !account.is_local() {
        return Err(SignatureError::Key("the key is not the actor's".into()));
    }
    let key = verify_with(&pending, &account)?;
    let account = Arc::new(account);
    crate::federation::runtime(state)
        .signers
        .put(&pending.key_id, &account, key, epoch);
    Ok(account)
}

async fn refetch(state: &AppState, owner: &Url) -> Result<AccountRow, SignatureError> {
    let data = crate::federation::data(state);
    ObjectId::<ApAccount>::from(owner.clone())
        .dereference_forced(&data)
        .await
        .map(|a| a.row)
        .map_err(|e| SignatureError::Key(e.message(crate::domain::Locale::En)))
}

fn verify_with(pending: &Pending, account: &AccountRow) -> Result<VerifyingKey, SignatureError> {
    let key = VerifyingKey::from_pem(&account.public_key_pem)?;
    pending.verify(&key)?;
    Ok(key)
}

/// Remote signers recently verified, by key id: a busy inbox would otherwise read the same
/// actor and parse the same key for every request. An entry lives a minute at most and is
/// dropped when its actor is updated or deleted by this process, or when a signature fails
/// with it (a new key under the same id). Another process sharing the database may go on
/// using an entry for that minute after a change it did not see, as a request racing with the
/// change would have.
#[derive(Default)]
pub struct SignerCache {
    inner: std::sync::Mutex<Inner>,
    /// Counts the actors forgotten: the clock that tells a read from before an actor's last
    /// change from one after it.
    forgotten: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Signer>,
    /// When (on the `forgotten` count) each actor was last forgotten: an entry made from a
    /// read older than its actor's last change is not kept. Others' changes do not matter (a
    /// single count for all made a burst of new actors, each stored and forgotten, keep the
    /// cache empty).
    changed: HashMap<String, u64>,
    /// Reads older than this are not kept: `changed` was emptied then (it keeps at most
    /// `MAX` actors).
    floor: u64,
}

struct Signer {
    at: Instant,
    account: Arc<AccountRow>,
    key: Arc<VerifyingKey>,
}

impl SignerCache {
    /// How long an entry is used.
    const TTL: Duration = Duration::from_secs(60);
    /// Most entries kept, and most actors remembered as changed (all are dropped when full:
    /// a new minute starts).
    const MAX: usize = 10_000;

    fn get(&self, key_id: &str) -> Option<(Arc<AccountRow>, Arc<VerifyingKey>)> {
        let inner = self.inner.lock().ok()?;
        let s = inner.entries.get(key_id)?;
        (s.at.elapsed() < Self::TTL).then(|| (s.account.clone(), s.key.clone()))
    }

    /// The moment of a read, for [`Self::put`]: taken before reading the actor.
    fn epoch(&self) -> u64 {
        self.forgotten.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Remembers a key verified with an account read when [`Self::epoch`] said `epoch`,
    /// unless the account was forgotten since (its read may predate its change).
    fn put(&self, key_id: &str, account: &Arc<AccountRow>, key: VerifyingKey, epoch: u64) {
        if account.is_local() || account.deleted_at.is_some() {
            return;
        }
        if let Ok(mut inner) = self.inner.lock() {
            // Checked under the lock: `forget` counts and records under it too.
            let changed = inner.changed.get(&account.uri).copied().unwrap_or(0);
            if epoch < inner.floor || changed > epoch {
                return;
            }
            if inner.entries.len() >= Self::MAX {
                inner.entries.clear();
            }
            inner.entries.insert(
                key_id.to_string(),
                Signer {
                    at: Instant::now(),
                    account: account.clone(),
                    key: Arc::new(key),
                },
            );
        }
    }

    /// Forgets an actor's keys, once its update or deletion is stored.
    pub fn forget(&self, actor_uri: &str) {
        if let Ok(mut inner) = self.inner.lock() {
            let now = self
                .forgotten
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                + 1;
            if inner.changed.len() >= Self::MAX {
                inner.changed.clear();
                inner.floor = now;
            }
            inner.changed.insert(actor_uri.to_string(), now);
            inner.entries.retain(|_, s| s.account.uri != actor_uri);
        }
    }
}

/// The fingerprint under which a verified POST signature is remembered against replays.
pub fn fingerprint(headers: &HeaderMap) -> Option<String> {
    headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .map(crate::crypto::token_hash)
}

#[cfg(test)]
mod tests {
    use super::{AccountRow, SignerCache, VerifyingKey};
    use std::sync::Arc;

    fn remote(uri: &str, public_key_pem: &str) -> Arc<AccountRow> {
        Arc::new(AccountRow {
            id: 1,
            username: "a".into(),
            domain: Some("remote.example".into()),
            actor_type: "Person".into(),
            uri: uri.into(),
            display_name: String::new(),
            note_source: String::new(),
            note_html: String::new(),
            locked: 0,
            discoverable: 1,
            public_key_pem: public_key_pem.into(),
            private_key_pem: None,
            created_at: 0,
            updated_at: 0,
            deleted_at: None,
            inbox_url: None,
            shared_inbox_url: None,
            outbox_url: None,
            followers_url: None,
            following_url: None,
            url: None,
            avatar_url: None,
            header_url: None,
            avatar_media_id: None,
            header_media_id: None,
            fields_json: "[]".into(),
            key_id: Some(format!("{uri}#main-key")),
            fetched_at: None,
            also_known_as: "[]".into(),
            moved_to_uri: None,
            moved_at: None,
        })
    }

    /// A read that may predate its actor's change is not remembered; other actors' changes
    /// do not stop it (a burst of new actors used to keep the cache empty).
    #[test]
    fn only_the_actors_own_change_makes_a_read_too_old_to_remember() {
        let (_, public) = crate::crypto::generate_rsa_keypair();
        let key = || VerifyingKey::from_pem(&public).unwrap();
        let cache = SignerCache::default();
        let (a, b) = (
            remote("https://remote.example/a", &public),
            remote("https://remote.example/b", &public),
        );
        let (ka, kb) = (
            "https://remote.example/a#main-key",
            "https://remote.example/b#main-key",
        );

        let read = cache.epoch();
        cache.forget("https://remote.example/someone-else");
        cache.put(ka, &a, key(), read);
        assert!(cache.get(ka).is_some(), "another actor's change");

        let read = cache.epoch();
        cache.forget(&b.uri);
        cache.put(kb, &b, key(), read);
        assert!(cache.get(kb).is_none(), "read before its own change");
        cache.put(kb, &b, key(), cache.epoch());
        assert!(cache.get(kb).is_some(), "read after its own change");

        cache.forget(&a.uri);
        assert!(cache.get(ka).is_none(), "forgotten");
        assert!(cache.get(kb).is_some(), "the other one stays");

        // Once more actors changed than it keeps track of, older reads are not remembered.
        let read = cache.epoch();
        for i in 0..=SignerCache::MAX {
            cache.forget(&format!("https://remote.example/n{i}"));
        }
        cache.put(ka, &a, key(), read);
        assert!(
            cache.get(ka).is_none(),
            "a read from before the count was cleared"
        );
        cache.put(ka, &a, key(), cache.epoch());
        assert!(cache.get(ka).is_some());
    }
}
