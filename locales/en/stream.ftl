# The streaming API (live timelines and notifications for apps).
stream-unknown = Unknown stream type (expected: user, user:notification, public, public:local, public:remote, hashtag, hashtag:local, direct, list)
stream-tag-missing = No hashtag given for this stream (the "tag" parameter)
stream-tag-too-long = The hashtag of this stream is too long
stream-list-missing = No list given for this stream (the "list" parameter)
stream-list-unknown = This list does not exist, or is not yours
stream-token-missing = This stream needs an access token
stream-scope-missing = The access token does not have the scopes this stream requires (read, or read:statuses, or read:notifications)
stream-user-required = This stream needs a person's token, not an app's
stream-bad-message = Unreadable message: expected a JSON object such as {"{"}"type": "subscribe", "stream": "public"{"}"}
stream-too-many = Too many streams followed on this connection
