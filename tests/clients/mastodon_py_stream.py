"""Follows the home stream with Mastodon.py's stream_user, as a bot would.

Usage: mastodon_py_stream.py BASE_URL TOKEN
Prints "ready" once the stream is open, then one JSON object with the first update's content
and the first notification's type; exits non-zero if either does not come within 30 s.
"""
import json
import sys
import threading

from mastodon import Mastodon, StreamListener

base, token = sys.argv[1:3]
api = Mastodon(access_token=token, api_base_url=base)
got = {}
done = threading.Event()


class Listener(StreamListener):
    def on_update(self, status):
        got.setdefault("update", status["content"])
        got.setdefault("update_author", status["account"]["acct"])
        self.check()

    def on_notification(self, notification):
        got.setdefault("notification", notification["type"])
        self.check()

    def check(self):
        if "update" in got and "notification" in got:
            done.set()


handle = api.stream_user(Listener(), run_async=True)
print("ready", flush=True)
ok = done.wait(30)
handle.close()
print(json.dumps(got), flush=True)
sys.exit(0 if ok else 1)
