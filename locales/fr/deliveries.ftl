# Envois abandonnés (administration)
nav-admin-deliveries = Envois abandonnés
page-admin-deliveries = Envois abandonnés
page-admin-deliveries-intro = Les activités que des serveurs distants n’ont pas acceptées : refusées pour de bon (une erreur 4xx), ou en erreur à chaque essai alors que le même serveur acceptait les autres envois (abandonnées après 24 essais, environ 19 heures). Un serveur injoignable n’est pas abandonné : ses envois attendent qu’il revienne. Gardés 30 jours, 1000 envois au plus.
page-admin-deliveries-all = Tous les serveurs
page-admin-deliveries-none = Aucun envoi abandonné.
page-admin-deliveries-hosts = Par serveur
page-admin-deliveries-count = Abandonnés
page-admin-deliveries-last = Dernier abandon
page-admin-deliveries-recent = Derniers envois abandonnés
page-admin-deliveries-recent-of = Derniers envois abandonnés vers { $host }
page-admin-deliveries-when = Abandonné
page-admin-deliveries-activity = Activité
page-admin-deliveries-status = Dernière réponse
page-admin-deliveries-attempts = Essais
page-admin-deliveries-error = Erreur
