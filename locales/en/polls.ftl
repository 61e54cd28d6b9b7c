## Polls and scheduled posts
field-poll = Poll
field-choices = Choices
field-scheduled_at = Publication time
field-content_type = Text format
field-media_attributes = Attachment descriptions
error-poll-too-few-options = A poll needs at least two options.
error-poll-too-many-options = A poll has at most { $max } options.
error-poll-option-empty = An option of the poll is empty.
error-poll-option-too-long = An option of the poll is longer than { $max } characters.
error-poll-duplicate-options = Two options of the poll are the same.
error-poll-expiry = A poll lasts from { $min } minutes to { $max } days (expires_in, in seconds).
error-poll-expiry-missing = Say how long the poll lasts (expires_in, in seconds).
error-poll-no-choice = Choose at least one option.
error-poll-one-choice = This poll takes one choice only.
error-poll-unknown-choice = This poll has no such option.
error-poll-expired = This poll has ended.
error-poll-own = You cannot vote in your own poll.
error-poll-already-voted = You have already voted in this poll.
error-poll-with-media = A post cannot have both a poll and attachments.
error-poll-edit = A poll cannot be added or changed once published; delete and write the post again.
error-scheduled-at-invalid = The publication time must be a date and time such as 2026-12-24T18:00:00Z.
error-scheduled-too-soon = The publication time must be at least { $minutes } minutes from now.
error-scheduled-too-many = You already have { $max } scheduled posts.
error-scheduled-too-many-that-day = You already have { $max } posts scheduled for that day.
error-scheduled-edit = A published post cannot be scheduled.
error-scheduled-author-gone = The author of this scheduled post no longer exists.
error-status-param-unsupported = This server does not support the parameter “{ $name }”: the post was not published, so that nothing you asked is lost.
error-content-type-unsupported = This server reads posts as plain text only (content_type text/plain).
notification-poll = : a poll you took part in has ended
pref-kind-poll = A poll I wrote or voted in has ended
push-title-poll = A poll by { $name } has ended
poll-votes = { $count ->
    [one] { $count } vote
   *[other] { $count } votes
}
poll-voters = { $count ->
    [one] { $count } person
   *[other] { $count } people
}
poll-ends = Ends { $when }
poll-closed = Closed
poll-vote = Vote
poll-hidden-totals = Results are shown when the poll ends.
poll-your-choice = your choice
flash-poll-voted = Your vote is counted.
