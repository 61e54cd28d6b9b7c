# Part D of the web interface: pages with pictures and structure (group tabs, "organised
# by", a profile's groups) and the landing page for visitors.

## A group's tabs
group-tabs-label = Parts of the group's page
group-tab-about = About
group-tab-discussions = Discussions
group-tab-agenda = Agenda
group-tab-missions = Missions
group-tab-members = Members
group-missions-empty = No upcoming missions.
group-events-later = Later
error-group-offset = The position in the list must be a number, zero or more.
error-group-tab-parameter = This parameter does not apply to this tab.

## Events
event-organized-by = Organised by

## A profile's groups
profile-groups-title = Groups
profile-groups-legend = Groups shown on my profile
profile-groups-hint = By default none of your groups is shown: belonging to a party is sensitive data. Tick those you want to show on your public profile.
profile-groups-none = You are not a member of any group.
profile-groups-closed = (invitation-only group: visible to its members only)
flash-profile-groups-saved = Your profile's groups are saved.
error-profile-group-unknown = You are not a member of this group.

## The landing page
landing-about-link = About this instance, its rules and its privacy policy
landing-find-title = Find my section
landing-postcode = Postcode
landing-postcode-hint = Five digits, for example 64000.
landing-find-submit = Find my section
landing-events-near-submit = See events nearby
landing-events = Upcoming events
landing-events-near = Upcoming events in département { $departement }
landing-events-none = No public events coming up yet.
landing-missions = Missions that need you
landing-missions-near = Missions in département { $departement }
landing-missions-none = No public missions coming up yet.
landing-rules = Our rules
