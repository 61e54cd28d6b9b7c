# Domaines bloqués, notes, comptes mis en avant (l'API de Mastodon).
error-domain-invalid = n'est pas un nom de domaine (par exemple : exemple.fr)
error-domain-block-own = vous ne pouvez pas bloquer le domaine de cette instance
error-endorse-not-followed = Vous ne pouvez mettre en avant qu'un compte que vous suivez
error-too-many-accounts = au plus { $max } comptes par demande
field-domain = Domaine
field-comment = Note
profile-endorsed = Mis en avant
error-follow-option = cette option d'abonnement n'est pas proposée par ce serveur (il montre les partages, ne notifie pas les messages et garde toutes les langues)
field-reblogs = Partages
field-notify = Notification des messages
field-languages = Langues
