# Dates people read (web::dates): relative times, the time zone preference and zone names.

dates-just-now = just now
dates-minutes-ago = { $count ->
   *[other] { $count } min ago
}
dates-hours-ago = { $count ->
   *[other] { $count } h ago
}
dates-yesterday = yesterday

settings-time-zone = Time zone
settings-time-zone-instance = The instance’s: { $zone }
settings-time-zone-hint = Times of posts and notifications are shown in this zone. An event keeps its own.
error-time-zone = This time zone is unknown. Choose one from the list (for example Europe/London).

dates-first-zones = Common
dates-region-europe = Europe
dates-region-america = America
dates-region-africa = Africa
dates-region-indian = Indian Ocean
dates-region-pacific = Pacific
dates-region-asia = Asia
dates-region-atlantic = Atlantic
dates-region-australia = Australia
dates-region-antarctica = Antarctica
dates-region-others = Others

dates-zone-europe-paris = Metropolitan France
dates-zone-europe-paris-time = Paris time
dates-zone-america-guadeloupe = Guadeloupe
dates-zone-america-guadeloupe-time = Guadeloupe time
dates-zone-america-martinique = Martinique
dates-zone-america-martinique-time = Martinique time
dates-zone-america-cayenne = French Guiana
dates-zone-america-cayenne-time = French Guiana time
dates-zone-indian-reunion = Réunion
dates-zone-indian-reunion-time = Réunion time
dates-zone-indian-mayotte = Mayotte
dates-zone-indian-mayotte-time = Mayotte time
dates-zone-pacific-noumea = New Caledonia
dates-zone-pacific-noumea-time = Nouméa time
dates-zone-pacific-tahiti = French Polynesia (Tahiti)
dates-zone-pacific-tahiti-time = Tahiti time
dates-zone-america-miquelon = Saint Pierre and Miquelon
dates-zone-america-miquelon-time = Saint Pierre and Miquelon time

# Day and month names (web::dates), Monday = 1, January = 1.
dates-weekday-short-1 = Mon
dates-weekday-short-2 = Tue
dates-weekday-short-3 = Wed
dates-weekday-short-4 = Thu
dates-weekday-short-5 = Fri
dates-weekday-short-6 = Sat
dates-weekday-short-7 = Sun
dates-weekday-1 = Monday
dates-weekday-2 = Tuesday
dates-weekday-3 = Wednesday
dates-weekday-4 = Thursday
dates-weekday-5 = Friday
dates-weekday-6 = Saturday
dates-weekday-7 = Sunday
dates-month-short-1 = Jan
dates-month-short-2 = Feb
dates-month-short-3 = Mar
dates-month-short-4 = Apr
dates-month-short-5 = May
dates-month-short-6 = Jun
dates-month-short-7 = Jul
dates-month-short-8 = Aug
dates-month-short-9 = Sep
dates-month-short-10 = Oct
dates-month-short-11 = Nov
dates-month-short-12 = Dec
dates-month-1 = January
dates-month-2 = February
dates-month-3 = March
dates-month-4 = April
dates-month-5 = May
dates-month-6 = June
dates-month-7 = July
dates-month-8 = August
dates-month-9 = September
dates-month-10 = October
dates-month-11 = November
dates-month-12 = December

# The event form's hint under its times.
dates-event-time-hint = Times in the { $zone } time zone.
