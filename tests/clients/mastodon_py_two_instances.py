"""Two coopol instances used through Mastodon.py, as a new user would.

Usage: mastodon_py_two_instances.py BASE_A BASE_B DOMAIN_B PASSWORD

Expects accounts alice and dave on A, bob and carol on B, each with the e-mail NAME@example.org
and PASSWORD. alice finds @bob@B by search and follows him; bob posts; the post appears in
alice's home timeline; alice replies; bob is notified; alice's direct message to bob is seen by
bob and by nobody else on either instance.

Prints one JSON object with what each step saw; exits non-zero (with a message) on any failure.
"""
import json
import sys
import time

from mastodon import Mastodon, MastodonNotFoundError

base_a, base_b, domain_b, password = sys.argv[1:5]


def sign_in(base, name):
    client_id, client_secret = Mastodon.create_app(
        "coopol test (Mastodon.py)",
        api_base_url=base,
        scopes=["read", "write", "follow"],
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    # allow_http: the test servers run on plain http://localhost.
    token = api.log_in(f"{name}@example.org", password, scopes=["read", "write", "follow"], allow_http=True)
    return Mastodon(access_token=token, api_base_url=base)


def eventually(what, check, timeout=20):
    """Polls `check` until it returns something truthy (federation is asynchronous)."""
    deadline = time.time() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.time() > deadline:
            sys.exit(f"timed out waiting until {what}")
        time.sleep(0.1)


def texts(statuses):
    return [s["content"] for s in statuses]


def sees(api, marker):
    """Whether `marker` is anywhere this person can list: home, public timelines, notifications."""
    seen = texts(api.timeline_home(limit=40))
    seen += texts(api.timeline_public(limit=40))
    seen += texts(api.timeline_public(limit=40, local=True))
    seen += [n["status"]["content"] for n in api.notifications(limit=40) if n.get("status")]
    return any(marker in t for t in seen)


alice = sign_in(base_a, "alice")
dave = sign_in(base_a, "dave")
bob = sign_in(base_b, "bob")
carol = sign_in(base_b, "carol")
out = {}

# alice finds bob on the other server and follows him.
found = alice.search_v2(f"@bob@{domain_b}", resolve=True)
out["search_accounts"] = [a["acct"] for a in found["accounts"]]
bob_on_a = found["accounts"][0]
alice.account_follow(bob_on_a["id"])
eventually("alice follows bob", lambda: alice.account_relationships(bob_on_a["id"])[0]["following"])
out["following"] = True

# bob posts; it reaches alice's home timeline.
post = bob.status_post("Tractage samedi au marché, qui vient ?")
home_post = eventually(
    "bob's post is in alice's home timeline",
    lambda: next((s for s in alice.timeline_home() if "Tractage samedi" in s["content"]), None),
)
out["home_author"] = home_post["account"]["acct"]

# alice replies; bob is notified, with the reply threaded under his post.
reply = alice.status_post(f"@bob@{domain_b} J'y serai !", in_reply_to_id=home_post["id"])
mention = eventually(
    "bob is notified of alice's reply",
    lambda: next(
        (n for n in bob.notifications(types=["mention"]) if "J'y serai" in n["status"]["content"]), None
    ),
)
out["reply_notification_from"] = mention["account"]["acct"]
out["reply_in_reply_to_bobs_post"] = mention["status"]["in_reply_to_id"] == post["id"]
context = bob.status_context(post["id"])
out["reply_in_bobs_thread"] = any("J'y serai" in s["content"] for s in context["descendants"])

# alice's direct message to bob: bob sees it, nobody else does. bob does not follow alice,
# so the default notification policy (Mastodon 4.3's) sets it aside in a request from her,
# which he accepts.
dm = alice.status_post(f"@bob@{domain_b} Mon numéro est le 06 00 00 00 00", visibility="direct")
request = eventually(
    "alice's direct message waits in bob's notification requests",
    lambda: next((r for r in bob.notification_requests() if r["account"]["acct"].startswith("alice@")), None),
)
out["dm_request_last_status"] = "Mon numéro" in (request.get("last_status") or {}).get("content", "")
bob.accept_notification_request(request["id"])
dm_for_bob = eventually(
    "bob receives the direct message",
    lambda: next(
        (n for n in bob.notifications(types=["mention"]) if "Mon numéro" in n["status"]["content"]), None
    ),
)
out["dm_visibility_for_bob"] = dm_for_bob["status"]["visibility"]
# Give any stray delivery time to arrive before looking where it must not be.
time.sleep(1)
out["dm_seen_by_carol_on_b"] = sees(carol, "Mon numéro")
out["dm_seen_by_dave_on_a"] = sees(dave, "Mon numéro")
try:
    dave.status(dm["id"])
    out["dm_fetchable_by_dave"] = True
except MastodonNotFoundError:
    out["dm_fetchable_by_dave"] = False
try:
    carol.status(dm_for_bob["status"]["id"])
    out["dm_fetchable_by_carol"] = True
except MastodonNotFoundError:
    out["dm_fetchable_by_carol"] = False
# Searching the message's URL from B does not reveal it to carol either.
by_url = carol.search_v2(dm["uri"], resolve=True)
out["dm_found_by_carol_search"] = len(by_url["statuses"]) > 0
# The public reply is visible to carol (a control, so the checks above can fail).
out["reply_seen_by_carol"] = eventually(
    "carol can find the public reply", lambda: len(carol.search_v2(reply["uri"], resolve=True)["statuses"]) > 0
)

print(json.dumps(out))
