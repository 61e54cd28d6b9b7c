# Grouped notifications (the Mastodon API's v2) and conversations.
error-expand-accounts = Unknown value for expand_accounts (expected: full or partial_avatars)
