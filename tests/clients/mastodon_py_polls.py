"""Polls and scheduled posts with Mastodon.py, as a bot or script would use them.

Usage: mastodon_py_polls.py BASE_URL
Signs in as alice@example.org and bob@example.org (password "correct horse battery");
prints one JSON object with what the server answered; exits non-zero on any failure.
"""
import datetime
import json
import sys

from mastodon import Mastodon, MastodonAPIError

base = sys.argv[1]
client_id, client_secret = Mastodon.create_app(
    "coopol test (Mastodon.py polls)",
    api_base_url=base,
    scopes=["read", "write", "follow"],
    redirect_uris="urn:ietf:wg:oauth:2.0:oob",
)


def sign_in(email):
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    token = api.log_in(email, "correct horse battery", scopes=["read", "write", "follow"], allow_http=True)
    return Mastodon(access_token=token, api_base_url=base)


alice = sign_in("alice@example.org")
bob = sign_in("bob@example.org")

poll = alice.make_poll(["Monday", "Friday"], expires_in=600, multiple=False, hide_totals=False)
status = alice.status_post("Which day for the assembly?", poll=poll)
voted = bob.poll_vote(status["poll"]["id"], [1])
again = None
try:
    bob.poll_vote(status["poll"]["id"], [0])
except MastodonAPIError as e:
    again = str(e.args[1])

now = datetime.datetime.now(datetime.timezone.utc)
scheduled = alice.status_post("Embargoed until tomorrow", scheduled_at=now + datetime.timedelta(minutes=30))
listed = alice.scheduled_statuses()
moved = alice.scheduled_status_update(scheduled["id"], now + datetime.timedelta(hours=2))
too_soon = None
try:
    alice.status_post("Too soon", scheduled_at=now + datetime.timedelta(minutes=1))
except MastodonAPIError as e:
    too_soon = e.args[1]
alice.scheduled_status_delete(scheduled["id"])
left = alice.scheduled_statuses()

print(json.dumps({
    "poll_options": [o["title"] for o in status["poll"]["options"]],
    "voted": voted["voted"],
    "own_votes": voted["own_votes"],
    "counts": [o["votes_count"] for o in voted["options"]],
    "second_vote": again,
    "scheduled_text": scheduled["params"]["text"],
    "scheduled_listed": [s["id"] for s in listed] == [scheduled["id"]],
    "moved_later": moved["scheduled_at"] > scheduled["scheduled_at"],
    "too_soon_status": too_soon,
    "left": len(left),
}, default=str))
