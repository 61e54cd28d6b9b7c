"""The notification policy and requests with Mastodon.py, as a script would use them.

Usage: mastodon_py_policy.py BASE_URL
Signs in as alice@example.org, bob@example.org and carol@example.org (password "correct horse
battery"). Alice filters people she does not follow; Bob and Carol mention her; she reads the
policy and her requests, accepts Bob's (one by one, then in bulk) and dismisses Carol's.
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
    # notification policy and requests.
    return Mastodon(access_token=token, api_base_url=base, version_check_mode="created")


alice = sign_in("alice@example.org")
bob = sign_in("bob@example.org")
carol = sign_in("carol@example.org")
out = {}
out["default"] = alice.notifications_policy()["for_not_following"]
policy = alice.update_notifications_policy(for_not_following="filter")
out["updated"] = policy["for_not_following"]
out["private"] = policy["for_private_mentions"]

bob.status_post("@alice bonjour")
bob.status_post("@alice encore")
carol.status_post("@alice salut")

out["summary"] = dict(alice.notifications_policy()["summary"])
out["listed_before"] = len(alice.notifications())
requests = alice.notification_requests()
out["requests"] = [r["account"]["acct"] for r in requests]
out["counts"] = [str(r["notifications_count"]) for r in requests]
bob_request = [r for r in requests if r["account"]["acct"] == "bob"][0]
out["one"] = alice.notification_request(bob_request["id"])["account"]["acct"]
alice.accept_notification_request(bob_request["id"])
out["merged"] = alice.notifications_merged()
out["listed_after"] = sorted(n["account"]["acct"] for n in alice.notifications())
carol_request = [r for r in alice.notification_requests() if r["account"]["acct"] == "carol"][0]
alice.dismiss_notification_request(carol_request["id"])
out["left"] = len(alice.notification_requests())

# In bulk: Carol writes again (a new request); accepted with accept_multiple.
carol.status_post("@alice me revoilà")
again = alice.notification_requests()
alice.accept_multiple_notification_requests([r["id"] for r in again])
out["after_bulk"] = alice.notifications_policy()["summary"]["pending_requests_count"]
out["listed_final"] = len(alice.notifications())
try:
    alice.update_notifications_policy(for_new_accounts="sometimes")
    out["refused"] = None
except Exception as e:  # MastodonAPIError
    out["refused"] = str(e.args[1]) if len(e.args) > 1 else str(e)

print(json.dumps(out))
