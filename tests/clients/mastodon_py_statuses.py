"""The statuses menu through Mastodon.py: bookmarks, favourites, pins, source and history.

Usage: mastodon_py_statuses.py BASE_URL EMAIL PASSWORD
Prints one JSON object with what the library read back; exits non-zero on any failure.
"""
import json
import sys

from mastodon import Mastodon

base, email, password = sys.argv[1:4]

client_id, client_secret = Mastodon.create_app(
    "coopol test (Mastodon.py statuses)",
    api_base_url=base,
    scopes=["read", "write", "follow"],
    redirect_uris="urn:ietf:wg:oauth:2.0:oob",
)
api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
token = api.log_in(email, password, scopes=["read", "write", "follow"], allow_http=True)
api = Mastodon(access_token=token, api_base_url=base)

first = api.status_post("the first words")
second = api.status_post("another post")
api.status_update(first["id"], "the words, edited")

bookmarked = api.status_bookmark(second["id"])
api.status_bookmark(first["id"])
api.status_favourite(second["id"])
pinned = api.status_pin(first["id"])
source = api.status_source(first["id"])
history = api.status_history(first["id"])
bookmarks = api.bookmarks(limit=1)
# The library follows the Link header to the next page.
older = api.fetch_next(bookmarks)
favourites = api.favourites()
me = api.account_verify_credentials()
pins = api.account_statuses(me["id"], pinned=True)
unpinned = api.status_unpin(first["id"])
unbookmarked = api.status_unbookmark(second["id"])
muted = api.status_mute(first["id"])

print(json.dumps({
    "bookmarked": bookmarked["bookmarked"],
    "pinned": pinned["pinned"],
    "source": {"id": str(source["id"]), "text": source["text"]},
    "first_id": str(first["id"]),
    "second_id": str(second["id"]),
    "history": [v["content"] for v in history],
    "bookmarks": [str(s["id"]) for s in bookmarks],
    "older": [str(s["id"]) for s in (older or [])],
    "favourites": [str(s["id"]) for s in favourites],
    "pins": [str(s["id"]) for s in pins],
    "unpinned": unpinned["pinned"],
    "unbookmarked": unbookmarked["bookmarked"],
    "muted": muted["muted"],
}))
