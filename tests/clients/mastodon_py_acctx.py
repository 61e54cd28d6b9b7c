"""Account extras on a coopol instance with Mastodon.py, as an app's account menus call them.

Usage: mastodon_py_acctx.py BASE_URL EMAIL PASSWORD FRIEND_ACCT FRIENDS_FRIEND_ACCT
Follows FRIEND_ACCT; blocks and unblocks domains; writes a note on FRIEND_ACCT; endorses it
(after failing to endorse FRIENDS_FRIEND_ACCT, not followed); asks for the familiar followers of
FRIENDS_FRIEND_ACCT and the relationships of both. Prints one JSON object with what the server
answered; exits non-zero on any failure other than the refusal it expects.
"""
import json
import sys

from mastodon import Mastodon, MastodonAPIError

base, email, password, friend_acct, fof_acct = sys.argv[1:6]
scopes = ["read", "write", "follow"]

client_id, client_secret = Mastodon.create_app(
    "coopol test (Mastodon.py account extras)",
    api_base_url=base,
    scopes=scopes,
    redirect_uris="urn:ietf:wg:oauth:2.0:oob",
)
api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
token = api.log_in(email, password, scopes=scopes, allow_http=True)
api = Mastodon(access_token=token, api_base_url=base)

friend = api.account_lookup(friend_acct)
fof = api.account_lookup(fof_acct)
api.account_follow(friend)

out = {}
api.domain_block("loups.example")
api.domain_block("Ours.Example")
out["domain_blocks"] = list(api.domain_blocks())
first = api.domain_blocks(limit=1)
out["domain_blocks_page"] = list(first)
second = api.fetch_next(first)
out["domain_blocks_next"] = list(second) if second else None
api.domain_unblock("loups.example")
out["domain_blocks_after"] = list(api.domain_blocks())
try:
    api.domain_block("")
    out["empty_domain"] = "accepted"
except MastodonAPIError as e:
    out["empty_domain"] = [e.args[1], e.args[2]]

out["note"] = api.account_note_set(friend, "Rencontré à la fête de la section")["note"]

try:
    api.account_pin(fof)
    out["pin_not_followed"] = "accepted"
except MastodonAPIError as e:
    out["pin_not_followed"] = [e.args[1], e.args[2]]
out["pin"] = api.account_pin(friend)["endorsed"]
out["endorsements"] = [a["acct"] for a in api.endorsements()]

familiar = api.account_familiar_followers(fof)
out["familiar"] = [
    {"id": str(f["id"]), "accounts": [a["acct"] for a in f["accounts"]]} for f in familiar
]
out["relationships"] = [
    {k: r[k] for k in ("id", "following", "note", "endorsed", "domain_blocking", "showing_reblogs",
                       "notifying", "languages", "requested_by", "muting_notifications")}
    for r in api.account_relationships([friend, fof])
]
out["unpin"] = api.account_unpin(friend)["endorsed"]
out["friend_id"] = str(friend["id"])
out["fof_id"] = str(fof["id"])
print(json.dumps(out, default=str))
