# Missions from anywhere: the event card under a post, the fill of an event or a mission,
# signing up from a timeline or the board.
event-fill = { $taken ->
    [one] { $taken }/{ $capacity } signed up
   *[other] { $taken }/{ $capacity } signed up
}
event-full = Full
event-sign-up = Sign me up
event-see-shifts = See the shifts
event-see-event = See the event
flash-mission-created = Mission created.
missions-shifts-of = Shifts of { $name }
missions-shift-leave = Cancel my sign-up
# The feed's heading (for screen readers: posts' titles are level 3).
timeline-posts = Posts
