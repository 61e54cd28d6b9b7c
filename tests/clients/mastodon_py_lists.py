"""Lists, filters and mutes on a coopol instance with Mastodon.py, as an app's menus call them.

Usage: mastodon_py_lists.py BASE_URL EMAIL PASSWORD FOLLOWED_ACCT MUTED_ACCT
Follows FOLLOWED_ACCT, makes a list holding it and reads the list's timeline; makes filters
(v2 with a keyword, v1) and reads the home timeline; mutes MUTED_ACCT for an hour. Prints one
JSON object with what the server answered; exits non-zero on any failure.
"""
import json
import sys

from mastodon import Mastodon

base, email, password, followed_acct, muted_acct = sys.argv[1:6]
scopes = ["read", "write", "follow"]

client_id, client_secret = Mastodon.create_app(
    "coopol test (Mastodon.py lists)",
    api_base_url=base,
    scopes=scopes,
    redirect_uris="urn:ietf:wg:oauth:2.0:oob",
)
api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
token = api.log_in(email, password, scopes=scopes, allow_http=True)
api = Mastodon(access_token=token, api_base_url=base)

followed = api.account_lookup(followed_acct)
muted = api.account_lookup(muted_acct)
api.account_follow(followed)
api.account_follow(muted)

out = {}
made = api.list_create("Camarades", replies_policy="followed")
api.list_accounts_add(made, [followed])
out["list"] = made
out["lists"] = api.lists()
out["list_accounts"] = [a["acct"] for a in api.list_accounts(made)]
out["account_lists"] = [l["id"] for l in api.account_lists(followed)]
out["timeline_list"] = [s["content"] for s in api.timeline_list(made)]

filt = api.create_filter_v2(
    "Chats", ["home"], "warn", keywords_attributes=[{"keyword": "chat", "whole_word": True}]
)
out["filter"] = filt
added = api.add_filter_keyword_v2(filt, "noir", whole_word=False)
out["keywords"] = [k["keyword"] for k in api.filter_keywords_v2(filt)]
api.delete_filter_keyword_v2(added)
out["keywords_after_delete"] = [k["keyword"] for k in api.filter_keywords_v2(filt)]
out["filters_v2"] = [f["title"] for f in api.filters_v2()]
out["home_filtered"] = [
    {"content": s["content"], "filtered": s.get("filtered") or []} for s in api.timeline_home()
]
v1 = api.filter_create("grève", ["public"], irreversible=False, whole_word=True)
out["filters_v1"] = [f["phrase"] for f in api.filters()]
api.filter_delete(v1)

out["mute"] = api.account_mute(muted, notifications=True, duration=3600)
out["mutes"] = [
    {"acct": a["acct"], "mute_expires_at": a.get("mute_expires_at")} for a in api.mutes()
]
out["home_while_muted"] = [s["content"] for s in api.timeline_home()]
out["unmute"] = api.account_unmute(muted)

api.list_accounts_delete(made, [followed])
out["list_accounts_after_delete"] = [a["acct"] for a in api.list_accounts(made)]
api.list_delete(made)
out["lists_after_delete"] = api.lists()
print(json.dumps(out, default=str))
