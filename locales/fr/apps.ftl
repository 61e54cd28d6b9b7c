# Ce que les applications Mastodon envoient et que coopol lit à sa façon.
error-quote-policy = quote_approval_policy vaut public, followers ou nobody.
error-follow-reblogs = coopol montre toujours les partages des personnes suivies : reblogs=false n’est pas pris en charge.
error-follow-notify = coopol ne notifie pas encore les nouvelles publications d’une personne suivie : notify=true n’est pas pris en charge.
error-follow-languages = coopol ne filtre pas encore les publications d’une personne suivie par langue : languages n’est pas pris en charge.
