# Ce que les applications Mastodon envoient et que coopol lit à sa façon.
error-quote-policy = quote_approval_policy vaut public, followers ou nobody.
