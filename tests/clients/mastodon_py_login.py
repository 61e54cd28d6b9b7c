"""Signs in to a coopol instance with Mastodon.py, as a Python bot or script would.

Usage: mastodon_py_login.py BASE_URL EMAIL PASSWORD
Prints one JSON object with what the server answered; exits non-zero on any failure.
"""
import json
import sys

from mastodon import Mastodon

base, email, password = sys.argv[1:4]

client_id, client_secret = Mastodon.create_app(
    "coopol test (Mastodon.py)",
    api_base_url=base,
    scopes=["read", "write", "follow"],
    redirect_uris="urn:ietf:wg:oauth:2.0:oob",
)
api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
# allow_http: the test server runs on plain http://localhost (the library allows it for tests).
token = api.log_in(email, password, scopes=["read", "write", "follow"], allow_http=True)
api = Mastodon(access_token=token, api_base_url=base)

me = api.account_verify_credentials()
v1 = api.instance_v1()
v2 = api.instance_v2()
# The library's own idea of the server version, parsed from what we answer.
version = api.retrieve_mastodon_version()
same = api.account(me["id"])
print(json.dumps({
    "username": me["username"],
    "acct": me["acct"],
    "v1_uri": v1["uri"],
    "v2_domain": v2["domain"],
    "version": str(version),
    "account_lookup": same["username"],
}))
