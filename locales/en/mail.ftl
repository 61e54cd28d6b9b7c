# E-mail: the messages, and the pages of the flows that send them.

## Messages
mail-greeting = Hello { $username },
mail-greeting-anonymous = Hello,
mail-footer = This message was sent to you by { $instance } ({ $url }).
mail-ignore = If you did not ask for this, ignore this message: nothing will change.
mail-confirm-subject = Confirm your address on { $instance }
mail-confirm-body = To activate your account, confirm that this address is yours. The link works for 48 hours.
mail-confirm-action = Confirm my address
mail-confirm-change-subject = Confirm your new address on { $instance }
mail-confirm-change-body = You asked for your account to use this address from now on. Confirm it to finish the change; the link works for 48 hours.
mail-email-changing-subject = Your account's address is changing on { $instance }
mail-email-changing-body = Someone asked for your account to use the address { $new_email } from now on. The change happens once that address is confirmed.
mail-email-changing-warning = If you did not ask for this change, change your password and tell the instance's team.
mail-reset-subject = Choose a new password on { $instance }
mail-reset-body = Someone (you, most likely) asked to change your account's password. This link works for an hour, and once.
mail-reset-action = Choose a new password
mail-address-in-use-subject = Your address on { $instance }
mail-address-in-use-body = Someone tried to use this address for another account, but it already has one. If it was you, you already have an account.
mail-address-in-use-sign-in = To sign in: { $url }
mail-approved-subject = Your registration on { $instance } is approved
mail-approved-body = The team of { $instance } approved your registration. You can sign in.
mail-approved-action = Sign in
mail-refused-subject = Your registration request on { $instance }
mail-refused-body = The team of { $instance } did not approve your registration. Your address and what you had typed have been erased.
mail-notification-subject = { $kind ->
    [mention] { $actor } mentioned you
    [follow] { $actor } follows you
    [follow_request] { $actor } asks to follow you
    [favourite] { $actor } liked your post
    [reblog] { $actor } boosted your post
    [event_participation] { $actor } takes part in your event
    [event_accepted] Your participation is accepted
    [event_refused] Your participation was not accepted
    [event_promoted] A place freed up: you take part
    [event_invited] { $actor } invites you to an event
    [event_reminder] Reminder: your event is coming up
    [event_short] A shift of your mission is still short of people
    [event_cancelled] An event you take part in is cancelled
    [event_updated] An event you take part in changed
    [event_left] { $actor } no longer takes part in your event
    [event_attendance] Record who came to your event
    [mission_new] A new mission needs people
    [mission_short] A shift of a mission of your group is short of people
    [group_join_request] { $actor } asks to join your group
    [affiliation_request] { $actor } asks to be affiliated with your federation
    [admin_sign_up] { $actor } asks to sign up
    [poll] A poll you took part in has ended
    [report_resolved] Your report was handled by the moderators
    [data_export_ready] The archive of your data is ready to download
   *[other] New notification from { $actor }
}
mail-notification-action = See it on { $instance }
mail-notification-why = You receive this e-mail because your notification preferences ask for it.
mail-unsubscribe = Stop these e-mails
mail-notification-kind = { $kind ->
    [mention] mentions
    [follow] new followers
    [follow_request] follow requests
    [favourite] likes
    [reblog] boosts
    [event_participation] participations in your events
    [event_accepted] accepted participations
    [event_refused] refused participations
    [event_promoted] freed places
    [event_invited] event invitations
    [event_reminder] event reminders
    [event_short] shifts short of people
    [event_cancelled] cancelled events
    [event_updated] changed events
    [event_left] withdrawals from your events
    [event_attendance] requests to record attendance
    [mission_new] new missions
    [mission_short] mission shifts short of people
    [group_join_request] requests to join your groups
    [affiliation_request] affiliation requests
    [admin_sign_up] registration requests
    [poll] ended polls
    [report_resolved] reports handled
    [data_export_ready] archives of your data
   *[other] these notifications
}

## Pages
error-mail-unavailable = Sending e-mail is not set up on this instance, so this is not available. Contact the instance's team.
error-mail-link-invalid = This link does not work: it is incomplete, was already used, or has expired. You can ask for a new one.
error-email-unconfirmed = Your e-mail address is not confirmed yet: follow the link we sent you.
error-email-already-confirmed = This address is already confirmed.
error-email-unchanged = is already your account's address
error-unsubscribe-invalid = This unsubscribe link is not valid.
field-token = Link
field-new_email = New e-mail address
flash-password-reset = Password changed. You can sign in with the new one.
flash-email-confirmed = E-mail address confirmed.
flash-email-change-sent = We sent a link to the new address: follow it to finish the change.
page-sign-in-forgot = Forgot your password?
page-sign-in-no-confirmation = Did not get the confirmation e-mail?
page-sign-up-confirm-title = Check your e-mail
page-sign-up-confirm = We sent a link to the address you gave. Follow it to confirm your address; if registrations need the team's approval, you can sign in once approved.
page-password-reset-title = Forgotten password
page-password-reset-intro = Give your account's e-mail address: we will send a link there to choose a new password.
page-confirmation-title = Get the confirmation link again
page-confirmation-intro = Give your account's e-mail address: if it awaits confirmation, we will send a new link there.
page-mail-ask-submit = Send the link
page-mail-sent-title = Check your e-mail
page-mail-sent-if-known = If this address belongs to an account, an e-mail is on its way. Look in the spam folder too.
page-password-edit-title = Choose a new password
page-password-edit-submit = Save the password
page-settings-email = E-mail address
page-settings-email-current = Current address: { $email }
page-settings-email-effect = A confirmation link goes to the new address, and a notice to the current one. The address changes once the link is followed.
page-settings-email-submit = Change address
page-unsubscribe-title = Unsubscribe
page-unsubscribe-ask = Stop receiving { $kind } by e-mail?
page-unsubscribe-submit = Unsubscribe
page-unsubscribe-done = Done: you will not receive { $kind } by e-mail any more. You can change this in your preferences.
mail-digest-subject = { $frequency ->
    [weekly] Your week on { $instance }
   *[daily] Your day on { $instance }
}
mail-digest-body = { $frequency ->
    [weekly] Here is what happened this week in your groups.
   *[daily] Here is what happened today in your groups.
}
mail-digest-missions = Missions that need you
mail-digest-events = Upcoming events
mail-digest-discussions = New discussions
mail-digest-why = You get this digest because you asked for it in your notification settings.
mail-digest-unsubscribe = Stop this digest
mail-digest-name = the digest of your groups
mail-leave-action = I can't come any more: free my place
page-leave-title = I can't come any more
page-leave-ask = You can't come to “{ $name }” any more? Free your place: the first person on the waiting list will take it.
page-leave-submit = Free my place
page-leave-done = Done: you no longer take part in “{ $name }”. Thank you for letting us know.
page-leave-not-taking-part = You do not (or no longer) take part in “{ $name }”.
page-leave-see-event = See the event
error-leave-link-invalid = This link is not valid.
