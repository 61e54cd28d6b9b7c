# Signalements et file de modération
field-content = Note
field-account_id = Compte
field-status_ids = Publications
field-rule_ids = Règles
field-forward_to_domains = Serveurs à prévenir
field-resolved = Résolu
field-target_account_id = Compte signalé
error-report-category = Catégorie inconnue : « spam », « legal », « violation » ou « other ».
error-report-domain = « { $domain } » n’est pas un nom de serveur.
error-report-too-many = { $max } au plus.
error-report-self = Vous ne pouvez pas vous signaler vous-même.
error-report-rule = La règle { $id } n’existe pas sur cette instance.
error-report-rules-required = Une infraction aux règles doit nommer au moins une règle.
error-report-rules-not-violation = Des règles ne se nomment que pour une infraction aux règles (catégorie « violation »).
error-report-status-author = La publication { $id } n’est pas de ce compte.
error-report-forward-off = Des serveurs à prévenir ne se nomment qu’avec le transfert demandé (forward).
error-report-domain-unrelated = « { $domain } » n’est ni le serveur du compte signalé ni celui d’un compte auquel ses publications répondent.
error-report-resolved = doit valoir « true » ou « false »
modlog-report_assigned = Signalement { $target } pris en charge
modlog-report_unassigned = Signalement { $target } laissé
modlog-report_resolved = Signalement { $target } résolu
modlog-report_reopened = Signalement { $target } rouvert
modlog-report_note_added = Note ajoutée au signalement { $target }
modlog-report_posts_viewed = { $count ->
    [one] Publication non publique lue dans le signalement { $target }
   *[other] { $count } publications non publiques lues dans le signalement { $target }
}
modlog-filter-report_assigned = Signalements pris en charge
modlog-filter-report_unassigned = Signalements laissés
modlog-filter-report_resolved = Signalements résolus
modlog-filter-report_reopened = Signalements rouverts
modlog-filter-report_note_added = Notes sur les signalements
modlog-filter-report_posts_viewed = Publications non publiques lues
