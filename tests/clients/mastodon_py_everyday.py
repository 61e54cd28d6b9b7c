"""Everyday calls of a Mastodon app through Mastodon.py, on two coopol instances: a poll voted on
from the other server, markers, bookmarks.

Usage: mastodon_py_everyday.py BASE_A BASE_B PASSWORD

Expects alice on A and bob on B, each with the e-mail NAME@example.org and PASSWORD. Prints one
JSON object with what each step saw; exits non-zero (with a message) on any failure.
"""
import json
import sys
import time

from mastodon import Mastodon, MastodonAPIError

base_a, base_b, password = sys.argv[1:4]


def sign_in(base, name):
    client_id, client_secret = Mastodon.create_app(
        "coopol test (Mastodon.py)",
        api_base_url=base,
        scopes=["read", "write", "follow"],
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    token = api.log_in(f"{name}@example.org", password, scopes=["read", "write", "follow"], allow_http=True)
    return Mastodon(access_token=token, api_base_url=base)


def eventually(what, check, timeout=20):
    deadline = time.time() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.time() > deadline:
            sys.exit(f"timed out waiting until {what}")
        time.sleep(0.1)


alice = sign_in(base_a, "alice")
bob = sign_in(base_b, "bob")
out = {}

# A poll on A, voted on from B: bob finds the post by its address and votes for the second
# option; his vote travels to alice's server, which counts it.
poll_post = alice.status_post(
    "Quel jour pour le tractage ?",
    poll=alice.make_poll(["Samedi", "Dimanche"], expires_in=3600),
    visibility="public",
)
found = bob.search_v2(poll_post["url"], resolve=True)
out["found_on_b"] = len(found["statuses"])
remote = found["statuses"][0]
out["remote_options"] = [o["title"] for o in remote["poll"]["options"]]
voted = bob.poll_vote(remote["poll"]["id"], [1])
out["b_voted"] = voted["voted"]
out["b_own_votes"] = voted["own_votes"]
try:
    bob.poll_vote(remote["poll"]["id"], [0])
    out["second_vote_refused"] = False
except MastodonAPIError:
    out["second_vote_refused"] = True
counted = eventually(
    "alice's server counts bob's vote",
    lambda: (lambda p: p if p["votes_count"] == 1 else None)(alice.poll(poll_post["poll"]["id"])),
)
out["a_votes"] = [o["votes_count"] for o in counted["options"]]
out["a_voters"] = counted["voters_count"]

# Markers: where alice stopped reading her home timeline and her notifications.
home = alice.timeline_home(limit=5)
first = alice.markers_set(["home"], [home[0]["id"]])
out["marker_home"] = first["home"]["last_read_id"] == home[0]["id"]
again = alice.markers_set(["home"], [home[0]["id"]])
out["marker_version_grows"] = again["home"]["version"] > first["home"]["version"]
read = alice.markers_get(["home", "notifications"])
out["markers_read"] = sorted(read.keys())
out["marker_read_home"] = read["home"]["last_read_id"] == home[0]["id"]

# Bookmarks: bob keeps alice's poll for later, finds it in his bookmarks, then lets it go.
kept = bob.status_bookmark(remote["id"])
out["bookmarked"] = kept["bookmarked"]
out["bookmarks"] = [s["id"] == remote["id"] for s in bob.bookmarks()]
bob.status_unbookmark(remote["id"])
out["bookmarks_after"] = len(bob.bookmarks())

print(json.dumps(out))
