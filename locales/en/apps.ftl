# What Mastodon apps send that coopol reads in its own way.
error-quote-policy = quote_approval_policy is public, followers or nobody.
