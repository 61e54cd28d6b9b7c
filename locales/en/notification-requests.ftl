requests-title = Notification requests
requests-waiting = Set aside
requests-intro = The notifications your settings set aside, by sender. Accepting adds them to your notifications and lets that person's next ones through; dismissing deletes them.
requests-none = Nothing is waiting.
requests-summary = { $count ->
    [one] One notification is waiting.
   *[other] { $count } notifications are waiting.
}
requests-count = { $count ->
    [one] one notification
   *[other] { $count } notifications
}
requests-accept = Accept
requests-accept-who = Accept notifications from { $name }
requests-dismiss = Dismiss
requests-dismiss-who = Dismiss notifications from { $name }
requests-link = { $count ->
    [one] One notification request is waiting
   *[other] { $count } notification requests are waiting
}
policy-title = Who can notify you
policy-intro = For each case: accept (as usual), set aside (in the requests below, with no alert or e-mail) or ignore (nothing is kept). Requests to join, events, missions and polls always come through.
policy-for_not_following = People you don't follow
policy-for_not_followers = People who don't follow you, or only for less than three days
policy-for_new_accounts = Accounts created less than thirty days ago
policy-for_private_mentions = Private messages from people you don't follow
policy-for_limited_accounts = Accounts limited by moderators
policy-action-accept = Accept
policy-action-filter = Set aside
policy-action-drop = Ignore
policy-save = Save
flash-policy-saved = Settings saved.
flash-notification-request-accepted = Request accepted: its notifications are in the list.
flash-notification-request-dismissed = Request dismissed.
