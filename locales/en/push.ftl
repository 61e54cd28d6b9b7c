# Web Push for Mastodon apps (/api/v1/push/subscription) and the pushes themselves.

field-subscription = Subscription
field-subscription_endpoint = Push address (subscription[endpoint])
field-subscription_keys = Keys (subscription[keys])
field-subscription_keys_p256dh = Public key (subscription[keys][p256dh])
field-subscription_keys_auth = Authentication secret (subscription[keys][auth])
field-subscription_standard = Encryption (subscription[standard])
field-data = Push settings (data)
field-data_alerts = Alerts (data[alerts])
field-data_policy = Policy (data[policy])

error-push-endpoint = must be the http(s) address of another server's push service, without user name or password, of at most 2048 characters
error-push-endpoint-https = must be an https address with a host name on the usual port (443): this server pushes only there
error-push-key-base64 = is not base64 (URL-safe or standard)
error-push-key-length = { $length ->
    [one] must be a P-256 public key, uncompressed (65 bytes starting with 0x04); this one has { $length } byte
   *[other] must be a P-256 public key, uncompressed (65 bytes starting with 0x04); this one has { $length } bytes
}
error-push-key-point = is not a point of the P-256 curve
error-push-auth-length = must be 16 bytes; this one has { $length }
error-push-legacy = this server sends only standard Web Push encryption (RFC 8291, aes128gcm): set it to true or leave it out
error-push-flag = must be true or false
error-push-alert-unknown = unknown alert “{ $name }”
error-push-alert-value = alert “{ $name }” must be true or false, not “{ $value }”
error-push-policy = must be all, followed, follower or none, not “{ $value }”
error-push-policy-twice = was given twice (policy and data[policy]) with different values
error-push-shape = has the wrong shape (a value where a group of values is expected, or the reverse)
error-push-unknown-param = unknown parameter “{ $name }”

push-title-mention = { $name } mentioned you
push-title-follow = { $name } is now following you
push-title-follow-request = { $name } asks to follow you
push-title-favourite = { $name } liked your post
push-title-reblog = { $name } boosted your post
push-title-event-participation = { $name } takes part in your event
push-title-event-accepted = { $name } accepted your participation
push-title-event-refused = { $name } refused your participation
push-title-event-promoted = { $name }: a place freed up, you are now taking part
push-title-event-invited = { $name } invites you to an event
push-title-event-reminder = Tomorrow: { $name }'s event you take part in
push-title-event-short = { $name }: your event of tomorrow is still short of people
push-title-event-cancelled = { $name } cancelled an event you take part in
push-title-event-updated = { $name } changed an event you take part in
push-title-event-left = { $name } left your event
push-title-event-attendance = Your event is over: record who came ({ $name })
push-title-mission-new = { $name } published a mission
push-title-group-join-request = { $name } asks to join a group you moderate
push-title-affiliation-request = { $name } asks to be affiliated with your federation
push-title-admin-sign-up = { $name } signed up and waits for approval
push-title-mission-short = { $name }: a shift of a mission is still short of people
