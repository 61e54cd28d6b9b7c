"""A picture posted with Mastodon.py, as a bot posting a photo would.

Usage: mastodon_py_media.py BASE_URL EMAIL PASSWORD PICTURE MARKER

PICTURE is a PNG whose metadata holds MARKER (a stand-in for a location or a camera's serial
number). The script uploads it with alt text and a focal point, changes the alt text, posts it,
reads the post back, downloads the file and its preview, then changes the alt text of the
attached picture. Prints one JSON object with what it saw; exits non-zero on any failure.
"""
import json
import sys
import time

import requests
from mastodon import Mastodon

base, email, password, picture, marker = sys.argv[1:6]

client_id, client_secret = Mastodon.create_app(
    "coopol test (Mastodon.py)",
    api_base_url=base,
    scopes=["read", "write"],
    redirect_uris="urn:ietf:wg:oauth:2.0:oob",
)
api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
# allow_http: the test server runs on plain http://localhost.
token = api.log_in(email, password, scopes=["read", "write"], allow_http=True)
api = Mastodon(access_token=token, api_base_url=base)
out = {}

# POST /api/v2/media; a picture is usually processed before the answer, else polled as apps do.
media = api.media_post(picture, description="Tract du samedi", focus=(0.5, -0.25))
out["upload_type"] = media["type"]
out["upload_description"] = media["description"]
deadline = time.time() + 60
while media["url"] is None:
    if time.time() > deadline:
        sys.exit("the upload was not processed within 60 s")
    time.sleep(0.2)
    media = api.media(media["id"])

# PUT /api/v1/media/:id before posting.
updated = api.media_update(media["id"], description="Tract du marché, samedi 10 h")
out["updated_description"] = updated["description"]
out["updated_focus"] = [updated["meta"]["focus"]["x"], updated["meta"]["focus"]["y"]]

status = api.status_post("Le tract de samedi", media_ids=[media["id"]])
read = api.status(status["id"])
attachments = read["media_attachments"]
out["attachments"] = len(attachments)
first = attachments[0]
out["attachment_id_matches"] = str(first["id"]) == str(media["id"])
out["attachment_type"] = first["type"]
out["attachment_description"] = first["description"]
out["attachment_blurhash"] = first["blurhash"]
out["attachment_width"] = first["meta"]["original"]["width"]
out["attachment_height"] = first["meta"]["original"]["height"]

# The files themselves, as any reader's app fetches them (no token needed).
for name, url in [("file", first["url"]), ("preview", first["preview_url"])]:
    answer = requests.get(url, timeout=30)
    out[f"{name}_status"] = answer.status_code
    out[f"{name}_type"] = answer.headers.get("content-type", "")
    out[f"{name}_bytes"] = len(answer.content)
    out[f"{name}_keeps_marker"] = marker.encode() in answer.content

# The alt text of a picture already posted can be changed too.
api.media_update(media["id"], description="Tract du marché (corrigé)")
out["posted_description_after_update"] = api.status(status["id"])["media_attachments"][0]["description"]

print(json.dumps(out))
