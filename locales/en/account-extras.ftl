# Blocked domains, notes, endorsed accounts (the Mastodon API).
error-domain-invalid = is not a domain name (for example: example.org)
error-domain-block-own = you cannot block this instance's domain
error-endorse-not-followed = You can only endorse an account you follow
error-too-many-accounts = at most { $max } accounts a request
field-domain = Domain
field-comment = Note
profile-endorsed = Endorsed
error-follow-option = this follow option is not offered by this server (it shows boosts, does not notify of posts and keeps every language)
field-reblogs = Boosts
field-notify = Post notifications
field-languages = Languages
