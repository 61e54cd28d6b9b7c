# Part D of the web interface: pages with pictures and structure (group tabs, "organisé
# par", a profile's groups) and the landing page for visitors.

## A group's tabs
group-tabs-label = Sections de la page du groupe
group-tab-about = À propos
group-tab-discussions = Discussions
group-tab-agenda = Agenda
group-tab-missions = Missions
group-tab-members = Membres
group-missions-empty = Aucune mission à venir.
group-events-later = Plus tard
error-group-offset = La position dans la liste doit être un nombre positif ou nul.
error-group-tab-parameter = Ce paramètre ne s’applique pas à cet onglet.

## Events
event-organized-by = Organisé par

## A profile's groups
profile-groups-title = Groupes
profile-groups-legend = Groupes affichés sur mon profil
profile-groups-hint = Par défaut, aucun de vos groupes n’est affiché : l’appartenance à un parti est une donnée sensible. Cochez ceux que vous voulez montrer sur votre profil public.
profile-groups-none = Vous n’êtes membre d’aucun groupe.
profile-groups-closed = (groupe sur invitation : visible de ses seuls membres)
flash-profile-groups-saved = Groupes de votre profil enregistrés.
error-profile-group-unknown = Vous n’êtes pas membre de ce groupe.

## The landing page
landing-about-link = À propos de cette instance, ses règles et sa politique de confidentialité
landing-find-title = Trouver ma section
landing-postcode = Code postal
landing-postcode-hint = Cinq chiffres, par exemple 64000.
landing-find-submit = Trouver ma section
landing-events-near-submit = Voir les événements proches
landing-events = Prochains événements
landing-events-near = Prochains événements dans le département { $departement }
landing-events-none = Aucun événement public à venir pour l’instant.
landing-missions = Missions où l’on a besoin de vous
landing-missions-near = Missions dans le département { $departement }
landing-missions-none = Aucune mission publique à venir pour l’instant.
landing-rules = Nos règles
