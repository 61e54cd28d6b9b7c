"""Subscribes to Web Push on a coopol instance with Mastodon.py, as a notifier bot would.

Usage: mastodon_py_push.py BASE_URL EMAIL PASSWORD ENDPOINT PUBKEY_HEX AUTH_HEX
The keys are made by the calling test (the library's key maker needs the `cryptography`
package, which the test environment does not install). Prints one JSON object with what the
server answered; exits non-zero on any failure.
"""
import json
import sys

from mastodon import Mastodon

base, email, password, endpoint, pubkey, auth = sys.argv[1:7]
scopes = ["read", "write", "push"]

client_id, client_secret = Mastodon.create_app(
    "coopol test (Mastodon.py push)",
    api_base_url=base,
    scopes=scopes,
    redirect_uris="urn:ietf:wg:oauth:2.0:oob",
)
api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
token = api.log_in(email, password, scopes=scopes, allow_http=True)
api = Mastodon(access_token=token, api_base_url=base)

keys = {"pubkey": bytes.fromhex(pubkey), "auth": bytes.fromhex(auth)}
made = api.push_subscription_set(
    endpoint, keys, mention_events=True, follow_events=False, poll_events=True, policy="follower"
)
shown = api.push_subscription()
changed = api.push_subscription_update(mention_events=True, favourite_events=True, policy="all")
print(json.dumps({"set": made, "get": shown, "update": changed, "token": token}, default=str))
