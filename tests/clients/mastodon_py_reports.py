"""Reports on a coopol instance with Mastodon.py: a member reports an account and a post
(`report`), a moderator works through the queue with the admin API (`admin_reports`,
`admin_report`, `admin_report_assign`, `admin_report_unassign`, `admin_report_resolve`,
`admin_report_reopen`).

Usage: mastodon_py_reports.py BASE_URL MEMBER_EMAIL MODERATOR_EMAIL PASSWORD TARGET_ID STATUS_ID
Prints one JSON object with what the server answered; exits non-zero on any unexpected failure.
"""
import json
import sys

from mastodon import Mastodon, MastodonAPIError

base, member, moderator, password, target, status = sys.argv[1:7]


def signed_in(email, scopes):
    client_id, client_secret = Mastodon.create_app(
        "coopol test (Mastodon.py reports)",
        api_base_url=base,
        scopes=scopes,
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base)
    token = api.log_in(email, password, scopes=scopes, allow_http=True)
    return Mastodon(access_token=token, api_base_url=base)


out = {}
api = signed_in(member, ["read", "write"])
report = api.report(target, status_ids=[status], comment="Publicité répétée", category="spam")
out["report"] = report
try:
    api.report(target, status_ids=["999999999"], comment="?")
    out["unknown_status"] = "accepted"
except MastodonAPIError as e:
    out["unknown_status"] = {"status": e.args[1], "error": str(e.args[-1])}
try:
    api.admin_reports()
    out["member_queue"] = "accepted"
except MastodonAPIError as e:
    out["member_queue"] = {"status": e.args[1]}

mod = signed_in(moderator, ["read", "admin:read", "admin:write"])
out["queue"] = mod.admin_reports()
out["one"] = mod.admin_report(report)
out["assigned"] = mod.admin_report_assign(report)
out["unassigned"] = mod.admin_report_unassign(report)
out["resolved"] = mod.admin_report_resolve(report)
out["open_after"] = [r["id"] for r in mod.admin_reports()]
out["resolved_list"] = [r["id"] for r in mod.admin_reports(resolved=True)]
out["all_list"] = [r["id"] for r in mod.admin_reports(resolved=True, unresolved=True)]
out["reopened"] = mod.admin_report_reopen(report)
print(json.dumps(out, default=str, ensure_ascii=False))
