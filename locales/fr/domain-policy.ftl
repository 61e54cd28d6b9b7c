# Politique des domaines (administration)
nav-admin-domains = Serveurs modérés
page-admin-domains = Serveurs modérés
page-admin-domains-intro = Les serveurs avec lesquels cette instance limite ou coupe les échanges. Un blocage couvre aussi les sous-domaines. Suspendre coupe les abonnements dans les deux sens, cache ce qui a été reçu et arrête tout échange ; limiter retire leurs comptes des fils publics.
page-admin-domains-blocks = Domaines bloqués
page-admin-domains-none = Aucun domaine bloqué.
page-admin-domains-flags = Options
page-admin-domains-actions = Actions
page-admin-domains-unblock = Débloquer
page-admin-domains-new = Bloquer un domaine
page-admin-domains-domain-hint = Par exemple : exemple.fr (ses sous-domaines sont couverts aussi).
page-admin-domains-block = Bloquer
page-admin-domains-allows = Domaines autorisés
page-admin-domains-allowlist-on = Mode liste blanche : cette instance ne fédère qu’avec ces domaines et leurs sous-domaines.
page-admin-domains-allowlist-off = Mode ouvert : cette liste ne sert que si la configuration passe en liste blanche (federation_mode = "allowlist").
page-admin-domains-allow = Autoriser
page-admin-domains-disallow = Retirer
page-admin-domains-import = Importer une liste de blocage
page-admin-domains-import-hint = Le format CSV de Mastodon : une ligne d’en-tête #domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate, puis un domaine par ligne. Un aperçu montre ce qui sera importé et chaque ligne mal formée ; rien n’est importé tant qu’une ligne est mal formée.
page-admin-domains-csv = Liste (CSV)
page-admin-domains-preview = Aperçu
page-admin-domains-preview-errors = Des lignes sont mal formées : corrigez-les avant d’importer.
page-admin-domains-line = Ligne
page-admin-domains-preview-action = Voir l’aperçu
page-admin-domains-import-action = Importer
page-admin-domains-export = Exporter la liste (CSV)
domain-severity-noop = Aucune limite
domain-severity-silence = Limité
domain-severity-suspend = Suspendu
field-severity = Sévérité
field-reject_media = Refuser les médias
field-reject_reports = Refuser les signalements
field-obfuscate = Masquer en partie le nom dans la liste publique
field-public_comment = Raison publique
field-private_comment = Note pour l’équipe
flash-domain-blocked = Le domaine est bloqué.
flash-domain-unblocked = Le blocage est levé.
flash-domain-allowed = Le domaine est autorisé.
flash-domain-disallowed = Le domaine n’est plus autorisé.
flash-domain-imported = La liste est importée.
page-about-moderated = Serveurs modérés
page-about-moderated-intro = Cette instance limite ou coupe les échanges avec ces serveurs.
page-about-moderated-none = Aucun serveur n’est modéré.
page-about-moderated-reason = Raison
error-domain-severity = doit être « silence », « suspend » ou « noop »
error-domain-allow-own = est le domaine de cette instance, toujours autorisé
error-domain-block-exists = est déjà bloqué : modifiez le blocage existant
error-domain-block-rename = ne peut pas changer : bloquez l’autre domaine à part
error-domain-policy-boolean = doit valoir true ou false
error-blocklist-quote = un guillemet n’est pas refermé
error-blocklist-column = colonne inconnue
error-blocklist-too-long = la liste dépasse { $max } lignes
error-blocklist-fields = trop de champs sur la ligne
error-blocklist-duplicate = domaine déjà présent plus haut
error-blocklist-boolean = doit valoir true ou false
error-blocklist-line = { $count ->
    [one] la liste a { $count } ligne mal formée, à la ligne { $line } : rien n’a été importé
   *[other] la liste a { $count } lignes mal formées, la première à la ligne { $line } : rien n’a été importé
}
error-blocklist-empty = la liste ne contient aucun domaine
modlog-domain_block_created = Domaine { $target } bloqué ({ $severity })
modlog-domain_block_updated = Blocage de { $target } modifié ({ $severity })
modlog-domain_block_removed = Blocage de { $target } levé
modlog-domain_allow_created = Domaine { $target } autorisé
modlog-domain_allow_removed = Domaine { $target } retiré des domaines autorisés
modlog-domain_blocks_imported = { $count ->
    [one] Liste de blocage importée ({ $count } domaine)
   *[other] Liste de blocage importée ({ $count } domaines)
}
modlog-filter-domain_block_created = Domaines bloqués
modlog-filter-domain_block_updated = Blocages modifiés
modlog-filter-domain_block_removed = Blocages levés
modlog-filter-domain_allow_created = Domaines autorisés
modlog-filter-domain_allow_removed = Domaines retirés de la liste blanche
modlog-filter-domain_blocks_imported = Listes de blocage importées
