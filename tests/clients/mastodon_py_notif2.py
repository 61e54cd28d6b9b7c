"""Grouped notifications and conversations with Mastodon.py, as a script would use them.

Usage: mastodon_py_notif2.py BASE_URL
Signs in as alice@example.org and bob@example.org (password "correct horse battery"); Bob
likes, follows and writes to Alice; Alice reads her grouped notifications and conversations.
Prints one JSON object with what the server answered; exits non-zero on any failure.
"""
import json
import sys

from mastodon import Mastodon

base = sys.argv[1]
scopes = ["read", "write", "follow"]
client_id, client_secret = Mastodon.create_app(
    "coopol test (Mastodon.py)", api_base_url=base, scopes=scopes,
    redirect_uris="urn:ietf:wg:oauth:2.0:oob",
)


def sign_in(email):
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    token = api.log_in(email, "correct horse battery", scopes=scopes, allow_http=True)
    # The version the server claims decides which methods the library allows: 4.3 has the
    # grouped notifications.
    return Mastodon(access_token=token, api_base_url=base, version_check_mode="created")


alice = sign_in("alice@example.org")
bob = sign_in("bob@example.org")
me = alice.me()
post = alice.status_post("Un message à aimer")
bob.status_favourite(post["id"])
bob.account_follow(me["id"])
# Alice follows Bob: Mastodon 4.3's default policy filters a private mention from someone
# she does not follow into a notification request.
alice.account_follow(bob.me()["id"])
dm = bob.status_post("@alice un mot pour toi", visibility="direct")

grouped = alice.grouped_notifications(expand_accounts="full")
kinds = sorted(g["type"] for g in grouped["notification_groups"])
like = [g for g in grouped["notification_groups"] if g["type"] == "favourite"][0]
one = alice.grouped_notification(like["group_key"])
accounts = alice.grouped_notification_accounts(like["group_key"])
unread = alice.unread_grouped_notifications_count()
partial = alice.grouped_notifications()
alice.dismiss_grouped_notification(like["group_key"])
after = alice.grouped_notifications(expand_accounts="full")
v1 = alice.notifications()

conversations = alice.conversations()
first = conversations[0]
read = alice.conversations_read(first["id"])

print(json.dumps({
    "kinds": kinds,
    "like_count": like["notifications_count"],
    "like_samples": [str(a) for a in like["sample_account_ids"]],
    "one_count": one["notification_groups"][0]["notifications_count"],
    "accounts": [a["username"] for a in accounts],
    "unread": unread,
    "partial_accounts": len(partial.get("partial_accounts") or []),
    "after": sorted(g["type"] for g in after["notification_groups"]),
    "v1_group_keys": [n["group_key"] for n in v1],
    "conversations": len(conversations),
    "conversation_unread": first["unread"],
    "conversation_accounts": [a["username"] for a in first["accounts"]],
    "conversation_last": first["last_status"]["content"],
    "conversation_last_id": str(first["last_status"]["id"]),
    "dm_id": str(dm["id"]),
    "read_unread": read["unread"],
    "bob_id": str(bob.me()["id"]),
}))
