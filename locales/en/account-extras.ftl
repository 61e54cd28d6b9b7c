# Blocked domains, notes, endorsed accounts (the Mastodon API).
error-domain-invalid = is not a domain name (for example: example.org)
error-domain-block-own = you cannot block this instance's domain
error-endorse-not-followed = You can only endorse an account you follow
error-too-many-accounts = at most { $max } accounts a request
field-domain = Domain
field-comment = Note
profile-endorsed = Endorsed
