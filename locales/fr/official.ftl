# Gouvernance des groupes : qui crée des sections, la marque « officielle », les noms qui se ressemblent.

official-recognized-by = Officielle — reconnue par { $by }
official-by-instance = l’administration de { $instance }
official-not-recognized = Non reconnue

nav-admin-groups = Groupes : création et sections officielles
page-admin-groups = Gouvernance des groupes
page-admin-groups-creation = Qui peut créer des groupes
field-sections = Sections et fédérations
field-others = Groupes thématiques et initiatives
group-creation-anyone = Tout le monde
group-creation-approval = Sur demande, approuvée par un·e administrateur·rice
group-creation-admins = Les administrateur·rices seulement
page-admin-groups-requests = Créations en attente
page-admin-groups-requests-none = Aucune demande de création en attente.
page-admin-groups-asked-by = Demandé par
page-admin-groups-lookalikes = Noms ressemblants
page-admin-groups-flags = Noms qui se ressemblent
page-admin-groups-flags-intro = Un groupe dont le nom ressemble à celui d’un groupe plus ancien (mêmes lettres une fois les accents, la casse, la ponctuation, les caractères trompeurs et les mots comme « officielle » retirés), signalé à sa création ou quand il change de nom.
page-admin-groups-flags-none = Aucun nom signalé.
page-admin-groups-flagged = Groupe signalé
page-admin-groups-looks-like = Ressemble à
page-admin-groups-dismiss = Classer
page-admin-groups-official = Groupes reconnus officiels par l’instance
page-admin-groups-official-intro = Une section reconnue par une fédération est marquée officielle quand le serveur de la fédération la liste ; vous pouvez aussi marquer officiel un groupe de ce serveur.
page-admin-groups-mark = Marquer officiel
page-admin-groups-unmark = Retirer la marque
page-admin-groups-official-none = Aucun groupe marqué officiel par l’instance.

flash-group-creation-requested = Demande envoyée : un·e administrateur·rice doit approuver la création du groupe.
flash-group-request-approved = Groupe créé.
flash-group-request-refused = Demande de création refusée.
flash-lookalike-dismissed = Signalement classé.
flash-group-marked-official = Groupe marqué officiel.
flash-group-unmarked-official = Marque officielle retirée.

error-group-creation-policy = Choisissez « anyone », « approval » ou « admins ».
error-group-creation-approval = La création de ce type de groupe doit être approuvée par un·e administrateur·rice : faites une demande.
error-group-creation-admins = Seul·es les administrateur·rices peuvent créer ce type de groupe.
error-group-requests-waiting = Vous avez déjà plusieurs demandes de création en attente : attendez une décision.
error-official-remote = Seuls les groupes de ce serveur peuvent être marqués officiels par l’instance.
error-official-choice = Choisissez 1 (marquer) ou 0 (retirer la marque).

modlog-group_creation_policy = Création de groupes : sections et fédérations « { $sections } », autres « { $others } »
modlog-group_creation_approved = Création du groupe { $target } approuvée ({ $kind })
modlog-group_creation_refused = Création du groupe { $target } refusée ({ $kind })
modlog-group_marked_official = Groupe { $target } marqué officiel
modlog-group_unmarked_official = Marque officielle du groupe { $target } retirée
modlog-lookalike_dismissed = Signalement de nom ressemblant classé pour { $target }
modlog-filter-group_creation_policy = Création de groupes
modlog-filter-group_creation_approved = Créations approuvées
modlog-filter-group_creation_refused = Créations refusées
modlog-filter-group_marked_official = Marques officielles
modlog-filter-group_unmarked_official = Marques officielles retirées
modlog-filter-lookalike_dismissed = Noms ressemblants classés
