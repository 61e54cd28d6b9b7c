## Settings → My data (service::export, service::import)
page-settings-data = Mes données
data-export-title = Télécharger mes données
data-export-explain = Une archive de tout ce que cette instance conserve sur vous : vos publications (au format d’export de Mastodon, lisible par d’autres serveurs), vos médias, vos abonnements, listes, blocages et masquages en fichiers CSV, vos groupes et rôles, les événements et créneaux auxquels vous êtes inscrit·e avec les présences, vos sessions et applications, vos réglages. Elle est préparée en arrière-plan ; une notification et un e-mail vous préviennent quand elle est prête. Vous seul·e pouvez la télécharger, pendant 7 jours, puis elle est supprimée. Une archive par jour au plus.
data-export-next = Vous pourrez demander une nouvelle archive { $when }.
data-export-submit = Demander mon archive
data-export-requested = Demandée
data-export-state = État
data-export-file = Fichier
data-export-state-pending = En préparation
data-export-state-ready = Prête
data-export-state-failed = Échec, demandez-en une autre demain
data-export-download = Télécharger ({ $size } Kio)
data-export-until = jusqu’à { $when }
data-import-title = Importer depuis Mastodon
data-import-explain = Les fichiers CSV de la page d’export de Mastodon (ou d’une autre instance coopol) : abonnements, blocages, masquages, listes, signets, domaines bloqués. Fusionner ajoute à ce que vous avez déjà ; remplacer retire aussi ce que le fichier ne contient pas. Les comptes d’autres serveurs sont cherchés en arrière-plan. Un rapport dit ce qui a été importé et pourquoi une ligne ne l’a pas été.
data-import-kind = Contenu du fichier
data-import-kind-following = Abonnements
data-import-kind-blocks = Comptes bloqués
data-import-kind-mutes = Comptes masqués
data-import-kind-lists = Listes
data-import-kind-bookmarks = Signets
data-import-kind-domain_blocks = Domaines bloqués
data-import-mode = Mode
data-import-mode-merge = Fusionner
data-import-mode-overwrite = Remplacer
data-import-file = Fichier CSV
data-import-submit = Importer
data-import-imported = { $count ->
    [one] { $count } ligne importée
   *[other] { $count } lignes importées
}
data-import-skipped = { $count ->
    [one] { $count } ligne ignorée
   *[other] { $count } lignes ignorées
}
data-import-state-pending = En cours
data-import-state-done = Terminé
data-import-state-failed = Échec
data-import-line = Ligne
data-import-value = Valeur
data-import-outcome = Résultat
data-import-outcome-imported = Importée
data-import-outcome-skipped = Ignorée
data-import-outcome-removed = Retirée (remplacement)
import-skip-columns = colonnes manquantes
import-skip-unresolved = introuvable (adresse inconnue ou serveur injoignable)
import-skip-list-pending = abonnement en attente d’acceptation : ajoutez ce compte à la liste une fois accepté
import-skip-address = adresse refusée (pas en http(s), ou adresse privée)
flash-export-requested = Votre archive est en préparation. Vous serez prévenu·e quand elle sera prête.
flash-import-queued = Fichier reçu : l’import se fait en arrière-plan, son rapport apparaîtra ci-dessous.
error-export-too-soon = Vous avez déjà demandé une archive aujourd’hui : réessayez demain.
error-import-not-csv = ce n’est pas un fichier CSV en UTF-8
error-import-not-csv-line = un guillemet ouvert ligne { $line } n’est jamais fermé
error-import-wrong-file = ce fichier n’est pas du type choisi (vérifiez le contenu du fichier)
error-import-too-many-rows = le fichier a plus de { $max } lignes
error-import-too-large = le fichier dépasse { $max } Kio
error-import-kind = type d’import inconnu
error-import-mode = mode inconnu
error-import-busy = Trois imports sont déjà en cours : attendez qu’ils soient terminés.
error-import-daily-limit = Dix fichiers importés par jour au plus : réessayez demain.
field-mode = Mode
notification-data_export_ready = · l’archive de vos données est prête, dans Paramètres → Mes données.
pref-kind-data_export_ready = L’archive de mes données est prête
push-title-data-export-ready = { $name } : l’archive de vos données est prête
