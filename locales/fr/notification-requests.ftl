requests-title = Demandes de notification
requests-waiting = Mises de côté
requests-intro = Les notifications que vos réglages ont mises de côté, par expéditeur. Accepter les ajoute à vos notifications et laisse passer les suivantes de cette personne ; ignorer les efface.
requests-none = Rien n’attend.
requests-summary = { $count ->
    [one] Une notification attend.
   *[other] { $count } notifications attendent.
}
requests-count = { $count ->
    [one] une notification
   *[other] { $count } notifications
}
requests-accept = Accepter
requests-accept-who = Accepter les notifications de { $name }
requests-dismiss = Ignorer
requests-dismiss-who = Ignorer les notifications de { $name }
requests-link = { $count ->
    [one] Une demande de notification attend
   *[other] { $count } demandes de notification attendent
}
policy-title = Qui peut vous notifier
policy-intro = Pour chaque cas : accepter (comme d’habitude), mettre de côté (dans les demandes ci-dessous, sans alerte ni courriel) ou ignorer (rien n’est gardé). Les demandes d’adhésion, les événements, les missions et les sondages passent toujours.
policy-for_not_following = Personnes que vous ne suivez pas
policy-for_not_followers = Personnes qui ne vous suivent pas, ou depuis moins de trois jours
policy-for_new_accounts = Comptes créés il y a moins de trente jours
policy-for_private_mentions = Messages privés de personnes que vous ne suivez pas
policy-for_limited_accounts = Comptes limités par la modération
policy-action-accept = Accepter
policy-action-filter = Mettre de côté
policy-action-drop = Ignorer
policy-save = Enregistrer
flash-policy-saved = Réglages enregistrés.
flash-notification-request-accepted = Demande acceptée : ses notifications sont dans la liste.
flash-notification-request-dismissed = Demande ignorée.
