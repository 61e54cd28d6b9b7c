# What Mastodon apps send that coopol reads in its own way.
error-quote-policy = quote_approval_policy is public, followers or nobody.
error-follow-reblogs = coopol always shows the boosts of the people you follow: reblogs=false is not supported.
error-follow-notify = coopol does not notify new posts of a followed person yet: notify=true is not supported.
error-follow-languages = coopol does not filter a followed person's posts by language yet: languages is not supported.
