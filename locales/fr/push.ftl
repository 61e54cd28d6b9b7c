# Notifications poussées pour les applications Mastodon (/api/v1/push/subscription) et les envois eux-mêmes.

field-subscription = Abonnement
field-subscription_endpoint = Adresse de notification (subscription[endpoint])
field-subscription_keys = Clés (subscription[keys])
field-subscription_keys_p256dh = Clé publique (subscription[keys][p256dh])
field-subscription_keys_auth = Secret d’authentification (subscription[keys][auth])
field-subscription_standard = Chiffrement (subscription[standard])
field-data = Réglages des notifications (data)
field-data_alerts = Alertes (data[alerts])
field-data_policy = Provenance (data[policy])

error-push-endpoint = doit être l’adresse http(s) du service de notification d’un autre serveur, sans nom d’utilisateur ni mot de passe, de 2048 caractères au plus
error-push-endpoint-https = doit être une adresse https avec un nom d’hôte, sur le port habituel (443) : ce serveur n’envoie ses notifications que là
error-push-key-base64 = n’est pas en base64 (standard ou adapté aux URL)
error-push-key-length = { $length ->
    [one] doit être une clé publique P-256 non compressée (65 octets commençant par 0x04) ; celle-ci fait { $length } octet
   *[other] doit être une clé publique P-256 non compressée (65 octets commençant par 0x04) ; celle-ci fait { $length } octets
}
error-push-key-point = n’est pas un point de la courbe P-256
error-push-auth-length = doit faire 16 octets ; celui-ci en fait { $length }
error-push-legacy = ce serveur n’envoie que le chiffrement standard des notifications (RFC 8291, aes128gcm) : mettez true ou n’indiquez rien
error-push-flag = doit valoir true ou false
error-push-alert-unknown = alerte inconnue « { $name } »
error-push-alert-value = l’alerte « { $name } » doit valoir true ou false, pas « { $value } »
error-push-policy = doit valoir all, followed, follower ou none, pas « { $value } »
error-push-policy-twice = a été donnée deux fois (policy et data[policy]) avec des valeurs différentes
error-push-shape = n’a pas la bonne forme (une valeur là où un groupe de valeurs est attendu, ou l’inverse)
error-push-unknown-param = paramètre inconnu « { $name } »

push-title-mention = { $name } vous a mentionné·e
push-title-follow = { $name } vous suit
push-title-follow-request = { $name } demande à vous suivre
push-title-favourite = { $name } a aimé votre message
push-title-reblog = { $name } a partagé votre message
push-title-event-participation = { $name } participe à votre événement
push-title-event-accepted = { $name } a accepté votre participation
push-title-event-refused = { $name } a refusé votre participation
push-title-event-promoted = { $name } : une place s’est libérée, vous participez
push-title-event-invited = { $name } vous invite à un événement
push-title-event-reminder = Demain : l’événement de { $name } auquel vous participez
push-title-event-short = { $name } : il manque encore du monde à votre événement de demain
push-title-event-cancelled = { $name } a annulé un événement auquel vous participez
push-title-event-updated = { $name } a modifié un événement auquel vous participez
push-title-event-left = { $name } s’est désisté·e de votre événement
push-title-event-attendance = Votre événement est terminé : notez qui est venu ({ $name })
push-title-mission-new = { $name } a publié une mission
push-title-group-join-request = { $name } demande à rejoindre un groupe que vous modérez
push-title-affiliation-request = { $name } demande à être affilié·e à votre fédération
push-title-admin-sign-up = { $name } s’est inscrit·e et attend d’être approuvé·e
push-title-mission-short = { $name } : il manque encore du monde à un créneau d’une mission
