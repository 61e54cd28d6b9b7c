# Dates people read (web::dates): relative times, the time zone preference and zone names.

dates-just-now = à l’instant
dates-minutes-ago = { $count ->
   *[other] il y a { $count } min
}
dates-hours-ago = { $count ->
   *[other] il y a { $count } h
}
dates-yesterday = hier

settings-time-zone = Fuseau horaire
settings-time-zone-instance = Celui de l’instance : { $zone }
settings-time-zone-hint = Les heures des messages et des notifications sont affichées dans ce fuseau. Un évènement garde le sien.
error-time-zone = Ce fuseau horaire est inconnu. Choisissez-en un dans la liste (par exemple Europe/Paris).

dates-first-zones = Fréquents
dates-region-europe = Europe
dates-region-america = Amérique
dates-region-africa = Afrique
dates-region-indian = Océan Indien
dates-region-pacific = Pacifique
dates-region-asia = Asie
dates-region-atlantic = Atlantique
dates-region-australia = Australie
dates-region-antarctica = Antarctique
dates-region-others = Autres

dates-zone-europe-paris = France métropolitaine
dates-zone-europe-paris-time = heure de Paris
dates-zone-america-guadeloupe = Guadeloupe
dates-zone-america-guadeloupe-time = heure de la Guadeloupe
dates-zone-america-martinique = Martinique
dates-zone-america-martinique-time = heure de la Martinique
dates-zone-america-cayenne = Guyane
dates-zone-america-cayenne-time = heure de la Guyane
dates-zone-indian-reunion = La Réunion
dates-zone-indian-reunion-time = heure de La Réunion
dates-zone-indian-mayotte = Mayotte
dates-zone-indian-mayotte-time = heure de Mayotte
dates-zone-pacific-noumea = Nouvelle-Calédonie
dates-zone-pacific-noumea-time = heure de Nouméa
dates-zone-pacific-tahiti = Polynésie française (Tahiti)
dates-zone-pacific-tahiti-time = heure de Tahiti
dates-zone-america-miquelon = Saint-Pierre-et-Miquelon
dates-zone-america-miquelon-time = heure de Saint-Pierre-et-Miquelon

# Day and month names (web::dates), Monday = 1, January = 1.
dates-weekday-short-1 = lun.
dates-weekday-short-2 = mar.
dates-weekday-short-3 = mer.
dates-weekday-short-4 = jeu.
dates-weekday-short-5 = ven.
dates-weekday-short-6 = sam.
dates-weekday-short-7 = dim.
dates-weekday-1 = lundi
dates-weekday-2 = mardi
dates-weekday-3 = mercredi
dates-weekday-4 = jeudi
dates-weekday-5 = vendredi
dates-weekday-6 = samedi
dates-weekday-7 = dimanche
dates-month-short-1 = janv.
dates-month-short-2 = févr.
dates-month-short-3 = mars
dates-month-short-4 = avr.
dates-month-short-5 = mai
dates-month-short-6 = juin
dates-month-short-7 = juil.
dates-month-short-8 = août
dates-month-short-9 = sept.
dates-month-short-10 = oct.
dates-month-short-11 = nov.
dates-month-short-12 = déc.
dates-month-1 = janvier
dates-month-2 = février
dates-month-3 = mars
dates-month-4 = avril
dates-month-5 = mai
dates-month-6 = juin
dates-month-7 = juillet
dates-month-8 = août
dates-month-9 = septembre
dates-month-10 = octobre
dates-month-11 = novembre
dates-month-12 = décembre

# The event form's hint under its times.
dates-event-time-hint = Heures du fuseau { $zone }.
