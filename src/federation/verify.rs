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

/// The Host values a sender may have signed: the one received, and ours as configured (peers
/// behind proxies, or Gancio, which signs the host without its port).
fn host_candidates(state: &AppState, headers: &HeaderMap) -> Vec<String> {
    let mut hosts = Vec::new();
    if let Some(h) = headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
    {
        hosts.push(h.to_string());
    }
    for h in [
        state.config.domain.clone(),
        state
            .config
            .public_url
            .host_str()
            .unwrap_or_default()
            .to_string(),
    ] {
        if !hosts.contains(&h) {
            hosts.push(h);
        }
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
    let hosts = host_candidates(state, headers);
    let pending = signatures::parse(method, path_and_query, headers, body, &hosts)?;
    let owner = pending
        .key_owner()
        .ok_or_else(|| SignatureError::Malformed("keyId is not a URL".into()))?;
    if owner.scheme() != state.config.public_url.scheme() && state.config.is_https() {
        return Err(SignatureError::Key(
            "keys are fetched over https only".into(),
        ));
    }

    if let Some((account, key)) = state.signers.get(&pending.key_id) {
        if pending.verify(&key).is_ok() {
            return Ok(account);
        }
        // Perhaps a new key under the same id: read the actor again below.
        state.signers.forget(&account.uri);
    }

    // Read before the database: an actor forgotten meanwhile is not remembered from a read
    // that may predate its change.
    let epoch = state.signers.epoch();
    let data = state.fed();
    let stored = crate::db::accounts::by_key_id(state.pool(), &pending.key_id)
        .await
        .map_err(|e| SignatureError::Key(e.to_string()))?;
    let account = match stored {
        Some(account) if account.deleted_at.is_none() => {
            if let Ok(key) = verify_with(&pending, &account) {
                let account = Arc::new(account);
                state.signers.put(&pending.key_id, &account, key, epoch);
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
    state.signers.put(&pending.key_id, &account, key, epoch);
    Ok(account)
}

async fn refetch(state: &AppState, owner: &Url) -> Result<AccountRow, SignatureError> {
    let data = state.fed();
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
    entries: std::sync::Mutex<HashMap<String, Signer>>,
    /// Counts the actors forgotten: an entry made from a read older than the last change is
    /// not kept.
    forgotten: std::sync::atomic::AtomicU64,
}

struct Signer {
    at: Instant,
    account: Arc<AccountRow>,
    key: Arc<VerifyingKey>,
}

impl SignerCache {
    /// How long an entry is used.
    const TTL: Duration = Duration::from_secs(60);
    /// Most entries kept (all are dropped when full: a new minute starts).
    const MAX: usize = 10_000;

    fn get(&self, key_id: &str) -> Option<(Arc<AccountRow>, Arc<VerifyingKey>)> {
        let entries = self.entries.lock().ok()?;
        let s = entries.get(key_id)?;
        (s.at.elapsed() < Self::TTL).then(|| (s.account.clone(), s.key.clone()))
    }

    fn epoch(&self) -> u64 {
        self.forgotten.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Remembers a key verified with an account read when [`Self::epoch`] said `epoch`.
    fn put(&self, key_id: &str, account: &Arc<AccountRow>, key: VerifyingKey, epoch: u64) {
        if account.is_local() || account.deleted_at.is_some() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            // Checked under the lock: `forget` counts under it too.
            if self.epoch() != epoch {
                return;
            }
            if entries.len() >= Self::MAX {
                entries.clear();
            }
            entries.insert(
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
        if let Ok(mut entries) = self.entries.lock() {
            self.forgotten
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            entries.retain(|_, s| s.account.uri != actor_uri);
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
