# Sanctions sur les comptes (modération) : avertir, limiter, désactiver, suspendre, supprimer
nav-admin-accounts = Comptes
page-admin-accounts = Comptes
page-admin-accounts-intro = Les comptes d’ici et d’ailleurs. Les modérateur·rices avertissent et limitent ; les administrateur·rices désactivent, suspendent, lèvent les suspensions et suppriment.
page-admin-accounts-search = Nom, nom affiché, domaine ou adresse
page-admin-accounts-origin = Origine
page-admin-accounts-any = Tous
page-admin-accounts-local = D’ici
page-admin-accounts-remote = D’ailleurs
page-admin-accounts-status = État
page-admin-accounts-status-active = Actifs
page-admin-accounts-status-pending = En attente
page-admin-accounts-status-disabled = Désactivés
page-admin-accounts-status-silenced = Limités
page-admin-accounts-status-suspended = Suspendus
page-admin-accounts-show = Afficher
page-admin-accounts-none = Aucun compte ne correspond.
page-admin-accounts-older = Plus anciens
page-admin-account-badge-silenced = Limité
page-admin-account-badge-suspended = Suspendu
page-admin-account-badge-disabled = Désactivé
page-admin-account-badge-pending = En attente
page-admin-account-email = Adresse
page-admin-account-role = Rôle
page-admin-account-joined = Arrivé·e le
page-admin-account-act = Agir sur ce compte
page-admin-account-action = Action
page-admin-account-text = Message à la personne (elle le lira ; il n’entre pas dans le journal)
page-admin-account-report = Signalement concerné (numéro, facultatif)
page-admin-account-send-email = Prévenir la personne par courriel
page-admin-account-submit = Appliquer
page-admin-account-lift = Lever
page-admin-account-unsilence = Lever la limitation
page-admin-account-unsuspend = Lever la suspension
page-admin-account-enable = Réactiver la connexion
page-admin-account-delete = Supprimer définitivement
page-admin-account-delete-help = Efface le compte suspendu tout de suite, sans attendre la fin du délai de conservation.
page-admin-account-suspended-until = Suspendu : restaurable jusqu’au { $until }, puis supprimé.
page-admin-account-history = Actions passées
page-admin-account-no-history = Aucune action sur ce compte.
page-admin-account-appealed = Contestation : « { $text } »
page-admin-account-appeal-decided = Contestation { $decision ->
    [approved] acceptée
   *[rejected] refusée
}
sanction-kind = { $kind ->
    [none] Avertissement
    [sensitive] Médias sensibles
    [disable] Connexion désactivée
    [silence] Limitation
   *[suspend] Suspension
}
flash-sanction-done = C’est fait.
nav-admin-appeals = Contestations
page-admin-appeals = Contestations en attente
page-admin-appeals-none = Aucune contestation en attente.
page-admin-appeals-approve = Accepter (lever la sanction)
page-admin-appeals-reject = Refuser
nav-settings-warnings = Avertissements
page-settings-warnings = Avertissements de la modération
page-settings-warnings-intro = Ce que la modération de l’instance a décidé à propos de votre compte. Vous pouvez contester chaque décision une fois ; un·e administrateur·rice tranche.
page-settings-warnings-none = La modération n’a rien décidé à propos de votre compte.
page-settings-warnings-appeal = Contester
page-settings-warnings-appeal-text = Pourquoi cette décision devrait être revue
page-settings-warnings-pending = Contestation envoyée, en attente de décision.
flash-appeal-sent = Votre contestation est envoyée.
error-sanction-type = Cette action n’existe pas : « none », « disable », « silence » ou « suspend ».
error-sanction-admin-only = Seul·es les administrateur·rices peuvent désactiver, suspendre, lever une suspension ou supprimer un compte ; les modérateur·rices avertissent et limitent.
error-sanction-sensitive = coopol ne marque pas les médias d’un compte comme sensibles : avertissez ou limitez plutôt.
error-sanction-self = On ne se sanctionne pas soi-même.
error-sanction-group = Un groupe d’ici se modère dans ses propres pages.
error-sanction-staff = Ce compte fait partie de l’équipe de modération : changez d’abord son rôle.
error-sanction-remote-disable = Seul un compte d’ici peut être désactivé ; suspendez un compte d’ailleurs.
error-sanction-already-silenced = Ce compte est déjà limité.
error-sanction-already-disabled = La connexion de ce compte est déjà désactivée.
error-sanction-already-suspended = Ce compte est déjà suspendu.
error-sanction-not-silenced = Ce compte n’est pas limité.
error-sanction-not-disabled = La connexion de ce compte n’est pas désactivée.
error-sanction-not-suspended = Ce compte n’est pas suspendu.
error-sanction-retention-over = Le délai de conservation de cette suspension est passé : le compte ne peut plus être restauré.
error-sanction-delete-unsuspended = Suspendez d’abord le compte : seul un compte suspendu peut être supprimé.
error-sanction-boolean = doit valoir « true » ou « false »
error-account-suspended = Votre compte est suspendu par la modération de l’instance. Motif : { $reason }. Pour contester, écrivez à { $contact } avant le { $until } ; passé cette date, le compte sera supprimé.
error-appeal-twice = Cette décision a déjà été contestée.
error-appeal-decided = Cette contestation a déjà été tranchée.
error-admin-filter = Ce filtre ne connaît pas cette valeur.
error-admin-filter-both = Choisissez un seul de ces filtres.
error-admin-ip = coopol ne garde pas les adresses IP : ce filtre ne peut pas s’appliquer.
field-type = Action
field-report_id = Signalement
field-ip = Adresse IP
field-permissions = Permissions
field-role_ids = Rôles
field-invited_by = Invité·e par
field-sensitized = Médias sensibles
field-remote = D’ailleurs
field-send_email_notification = Courriel
mail-sanction-subject = { $action ->
    [none] Un avertissement de la modération de { $instance }
    [disable] Votre connexion à { $instance } est désactivée
    [silence] Votre compte sur { $instance } est limité
   *[suspend] Votre compte sur { $instance } est suspendu
}
mail-sanction-body = { $action ->
    [none] La modération de { $instance } vous adresse un avertissement.
    [disable] La modération de { $instance } a désactivé la connexion à votre compte.
    [silence] La modération de { $instance } a limité votre compte : vos publications n’apparaissent plus dans les fils publics ni dans les recherches des personnes qui ne vous suivent pas.
   *[suspend] La modération de { $instance } a suspendu votre compte : vos publications et votre profil ne sont plus visibles, et vous ne pouvez plus vous connecter.
}
mail-sanction-action = Voir et contester
mail-sanction-appeal = Vous pouvez contester cette décision une fois ; un·e administrateur·rice la réexaminera.
modlog-account_warned = { $target } averti·e
modlog-account_silenced = { $target } limité·e
modlog-account_unsilenced = Limitation de { $target } levée
modlog-account_disabled = Connexion de { $target } désactivée
modlog-account_enabled = Connexion de { $target } réactivée
modlog-account_suspended = { $target } suspendu·e
modlog-account_unsuspended = Suspension de { $target } levée
modlog-account_deleted = { $target } supprimé·e ({ $reason ->
    [retention] fin du délai de conservation
   *[admin] par un·e administrateur·rice
})
modlog-appeal_approved = Contestation de { $target } acceptée
modlog-appeal_rejected = Contestation de { $target } refusée
modlog-filter-account_warned = Avertissements
modlog-filter-account_silenced = Limitations
modlog-filter-account_unsilenced = Limitations levées
modlog-filter-account_disabled = Connexions désactivées
modlog-filter-account_enabled = Connexions réactivées
modlog-filter-account_suspended = Suspensions
modlog-filter-account_unsuspended = Suspensions levées
modlog-filter-account_deleted = Comptes supprimés
modlog-filter-appeal_approved = Contestations acceptées
modlog-filter-appeal_rejected = Contestations refusées
