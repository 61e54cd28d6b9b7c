# Règles de l’instance, page « à propos » et tableau de bord (administration)
nav-admin-rules = Règles de l’instance
nav-admin-about = À propos de l’instance
page-admin-rules = Règles de l’instance
page-admin-rules-intro = Les règles que chaque personne accepte en s’inscrivant, une case à cocher par règle. Elles s’affichent aussi sur la page « à propos » et dans les applications.
page-admin-rules-back = Toutes les règles
page-admin-rules-none = Aucune règle pour l’instant.
page-admin-rules-new = Nouvelle règle
page-admin-rules-edit = Modifier la règle
page-admin-rules-edit-action = Modifier
page-admin-rules-edit-which = Modifier la règle « { $rule } »
page-admin-rules-up = Monter
page-admin-rules-up-which = Monter la règle « { $rule } »
page-admin-rules-down = Descendre
page-admin-rules-down-which = Descendre la règle « { $rule } »
page-admin-rules-delete = Supprimer
page-admin-rules-delete-which = Supprimer la règle « { $rule } »
page-admin-rules-text-hint = Une phrase courte, sur une ligne (300 caractères au plus).
page-admin-rules-hint-hint = Facultatif : ce que la règle veut dire, montré sous elle.
field-rule-text = Règle
field-rule-hint = Explication
error-rule-one-line = doit tenir sur une ligne
error-rule-control = contient des caractères invisibles non permis
error-rules-too-many = Il y a déjà { $max } règles, le maximum.
error-rule-direction = Cette direction n’existe pas : « up » ou « down ».
error-rules-not-accepted = { $count ->
    [one] Cochez la règle restante pour vous inscrire.
   *[other] Cochez les { $count } règles restantes pour vous inscrire.
}
flash-rule-created = Règle ajoutée.
flash-rule-saved = Règle enregistrée.
flash-rule-moved = Règle déplacée.
flash-rule-deleted = Règle supprimée.
page-sign-up-rules = Règles de l’instance
page-sign-up-rules-hint = Cochez chaque règle pour dire que vous l’acceptez.
page-about-rules = Règles
page-about-contact-account = Compte à contacter :
page-admin-about = À propos de l’instance
page-admin-about-intro = Ce que l’instance dit d’elle-même, sur la page « à propos », dans les applications et aux autres serveurs. Tant que rien n’est enregistré, les valeurs du fichier de configuration s’appliquent.
page-admin-about-short-hint = Un paragraphe : ce qu’est cette instance et pour qui.
page-admin-about-contact-hint = Le nom d’utilisateur d’un compte actif de cette instance (facultatif).
page-admin-about-privacy-hint = Vide : la page « à propos » dit ce que coopol conserve et ne montre jamais.
page-admin-about-markdown-hint = Description détaillée et politique de confidentialité : Markdown (paragraphes, *italique*, **gras**, listes, liens). Le HTML est affiché comme du texte.
field-instance-name = Nom de l’instance
field-short-description = Description courte
field-contact-email = Adresse e-mail de contact
field-contact-username = Compte de contact
field-extended-description = Description détaillée
field-privacy-policy = Politique de confidentialité
error-about-one-line = doit tenir sur une ligne
error-about-control = contient des caractères invisibles non permis
error-about-contact-unknown = n’est pas un compte actif de cette instance
flash-about-saved = Page « à propos » enregistrée.
modlog-rule_created = Règle ajoutée : « { $target } »
modlog-rule_updated = Règle modifiée : « { $target } »
modlog-rule_moved = { $direction ->
    [up] Règle montée
   *[down] Règle descendue
} : « { $target } »
modlog-rule_deleted = Règle supprimée : « { $target } »
modlog-about_updated = Page « à propos » modifiée : { $fields }
modlog-filter-rule_created = Règles ajoutées
modlog-filter-rule_updated = Règles modifiées
modlog-filter-rule_moved = Règles déplacées
modlog-filter-rule_deleted = Règles supprimées
modlog-filter-about_updated = Page « à propos »
page-dashboard = Tableau de bord
page-dashboard-accounts = Comptes locaux
page-dashboard-active-week = Actifs cette semaine
page-dashboard-pending = Inscriptions en attente
page-dashboard-queues = Files d’attente
page-dashboard-queue = File
page-dashboard-waiting = En attente
page-dashboard-oldest = Plus ancien
page-dashboard-inbox = Activités reçues
page-dashboard-outbox = Changements à fédérer
page-dashboard-deliveries = Envois aux autres serveurs
page-dashboard-mail = E-mails
page-dashboard-pushes = Notifications push
page-dashboard-inbox-failed = Activités reçues abandonnées
page-dashboard-federation = Santé de la fédération
page-dashboard-hosts-failing = Serveurs injoignables
page-dashboard-hosts-parked = dont mis en pause
page-dashboard-host = Serveur
page-dashboard-failing-for = En échec depuis
page-dashboard-last-success = Dernier succès
page-dashboard-state = État
page-dashboard-parked = En pause
page-dashboard-retrying = Nouvelles tentatives
page-dashboard-never = jamais
page-dashboard-storage = Stockage
page-dashboard-media-store = Médias
page-dashboard-store-folder = un dossier de ce serveur
page-dashboard-store-s3 = un stockage S3
page-dashboard-media-local = Fichiers envoyés ici
page-dashboard-media-remote = Copies de médias d’autres serveurs
page-dashboard-database = Base de données
page-dashboard-age-seconds = { $n } s
page-dashboard-age-minutes = { $n } min
page-dashboard-age-hours = { $n } h
page-dashboard-age-days = { $n ->
    [one] { $n } jour
   *[other] { $n } jours
}
page-dashboard-bytes = { $n ->
    [one] { $n } octet
   *[other] { $n } octets
}
page-dashboard-kib = { $n } Kio
page-dashboard-mib = { $n } Mio
page-dashboard-gib = { $n } Gio
page-dashboard-tib = { $n } Tio
page-dashboard-more-than = plus de { $n }
page-dashboard-media-counted = Médias comptés il y a { $age } (au plus toutes les 15 minutes)
page-dashboard-reports = Signalements à traiter
