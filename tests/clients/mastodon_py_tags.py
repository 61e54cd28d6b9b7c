"""Hashtags on a coopol instance with Mastodon.py, as an app's tag and profile screens call them.

Usage: mastodon_py_tags.py BASE_URL EMAIL PASSWORD
Posts with hashtags, follows a tag (twice) and lists the followed tags, reads a tag, features
a tag, reads the suggestions and the account's featured tags, removes the featured tag and
unfollows. Prints one JSON object with what the server answered; exits non-zero on any failure.
"""
import json
import sys

from mastodon import Mastodon

base, email, password = sys.argv[1:4]
scopes = ["read", "write", "follow"]

client_id, client_secret = Mastodon.create_app(
    "coopol test (Mastodon.py tags)",
    api_base_url=base,
    scopes=scopes,
    redirect_uris="urn:ietf:wg:oauth:2.0:oob",
)
api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
token = api.log_in(email, password, scopes=scopes, allow_http=True)
api = Mastodon(access_token=token, api_base_url=base)

me = api.account_verify_credentials()
api.status_post("Rendez-vous #Greve #lille")
api.status_post("Encore #greve")

out = {}
out["tag_follow"] = api.tag_follow("greve")
out["tag_follow_again"] = api.tag_follow("greve")
api.tag_follow("paris")
out["followed_tags"] = [t["name"] for t in api.followed_tags()]
first = api.followed_tags(limit=1)
out["followed_first_page"] = [t["name"] for t in first]
second = api.fetch_next(first)
out["followed_second_page"] = [t["name"] for t in (second or [])]
out["tag"] = api.tag("greve")
out["featured_tag_create"] = api.featured_tag_create("greve")
out["featured_tags"] = [t["name"] for t in api.featured_tags()]
out["suggestions"] = [t["name"] for t in api.featured_tag_suggestions()]
out["account_featured_tags"] = api.account_featured_tags(me)
out["tagged"] = [s["content"] for s in api.account_statuses(me, tagged="greve")]
api.featured_tag_delete(out["featured_tag_create"])
out["featured_after_delete"] = [t["name"] for t in api.featured_tags()]
out["tag_unfollow"] = api.tag_unfollow("greve")
out["followed_after_unfollow"] = [t["name"] for t in api.followed_tags()]
print(json.dumps(out, default=str))
