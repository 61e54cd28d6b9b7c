# Hashtags: followed, featured (Mastodon API).
error-tag-name-empty = Give a hashtag.
error-tag-name-long = A hashtag has at most { $max } characters.
error-tag-name-chars = A hashtag holds only letters, digits and "_", and not digits only.
error-featured-tag-limit = You already feature { $count } hashtags, the most there may be.
error-followed-tag-limit = You already follow { $count } hashtags, the most there may be.
