"""Announcements on a coopol instance with Mastodon.py, as an app's announcements panel calls them.

Usage: mastodon_py_announce.py BASE_URL EMAIL PASSWORD
Lists the announcements, reacts to the first with two emoji and takes one back, tries a
shortcode (refused), dismisses it and lists again. Prints one JSON object with what the
server answered; exits non-zero on any unexpected failure.
"""
import json
import sys

from mastodon import Mastodon, MastodonAPIError

base, email, password = sys.argv[1:4]
scopes = ["read", "write"]

client_id, client_secret = Mastodon.create_app(
    "coopol test (Mastodon.py announcements)",
    api_base_url=base,
    scopes=scopes,
    redirect_uris="urn:ietf:wg:oauth:2.0:oob",
)
api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
token = api.log_in(email, password, scopes=scopes, allow_http=True)
api = Mastodon(access_token=token, api_base_url=base)

def reactions(a):
    # Mastodon.py fills the entity's optional fields (`url`, `static_url`) with None.
    return [{"name": r["name"], "count": r["count"], "me": r["me"]} for r in a["reactions"]]


out = {}
listed = api.announcements()
out["announcements"] = listed
first = listed[0]
api.announcement_reaction_create(first, "👍")
api.announcement_reaction_create(first, "🎉")
out["listed_reactions"] = reactions(first)
out["after_reactions"] = reactions(api.announcements()[0])
api.announcement_reaction_delete(first, "🎉")
out["after_delete"] = reactions(api.announcements()[0])
try:
    api.announcement_reaction_create(first, "blobcat")
    out["shortcode"] = "accepted"
except MastodonAPIError as e:
    out["shortcode"] = {"status": e.args[1], "error": str(e.args[-1])}
try:
    api.announcement_reaction_delete(first, "🎉")
    out["delete_again"] = "accepted"
except MastodonAPIError as e:
    out["delete_again"] = {"status": e.args[1]}
api.announcement_dismiss(first)
out["after_dismiss"] = [a["id"] for a in api.announcements()]
print(json.dumps(out, default=str, ensure_ascii=False))
