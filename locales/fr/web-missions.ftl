# Missions from anywhere: the event card under a post, the fill of an event or a mission,
# signing up from a timeline or the board.
event-fill = { $taken ->
    [one] { $taken }/{ $capacity } inscrit·e
   *[other] { $taken }/{ $capacity } inscrit·es
}
event-full = Complet
event-sign-up = Je m’inscris
event-see-shifts = Voir les créneaux
event-see-event = Voir l’événement
flash-mission-created = Mission créée.
missions-shifts-of = Créneaux de { $name }
missions-shift-leave = Me désinscrire
# The feed's heading (for screen readers: posts' titles are level 3).
timeline-posts = Publications
