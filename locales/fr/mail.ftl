# E-mail: the messages, and the pages of the flows that send them.

## Messages
mail-greeting = Bonjour { $username },
mail-greeting-anonymous = Bonjour,
mail-footer = Ce message vous est envoyé par { $instance } ({ $url }).
mail-ignore = Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne changera.
mail-confirm-subject = Confirmez votre adresse sur { $instance }
mail-confirm-body = Pour activer votre compte, confirmez que cette adresse est bien la vôtre. Le lien est valable 48 heures.
mail-confirm-action = Confirmer mon adresse
mail-confirm-change-subject = Confirmez votre nouvelle adresse sur { $instance }
mail-confirm-change-body = Vous avez demandé que votre compte utilise désormais cette adresse. Confirmez-la pour terminer le changement ; le lien est valable 48 heures.
mail-email-changing-subject = Changement d'adresse de votre compte sur { $instance }
mail-email-changing-body = Une demande a été faite pour que votre compte utilise désormais l'adresse { $new_email }. Le changement aura lieu quand cette adresse sera confirmée.
mail-email-changing-warning = Si vous n'êtes pas à l'origine de ce changement, changez votre mot de passe et prévenez l'équipe de l'instance.
mail-reset-subject = Choisir un nouveau mot de passe sur { $instance }
mail-reset-body = Quelqu'un (vous, sans doute) a demandé à changer le mot de passe de votre compte. Ce lien est valable une heure et ne sert qu'une fois.
mail-reset-action = Choisir un nouveau mot de passe
mail-address-in-use-subject = Votre adresse sur { $instance }
mail-address-in-use-body = Quelqu'un a voulu utiliser cette adresse pour un autre compte, mais elle a déjà le sien. Si c'était vous, vous avez donc déjà un compte.
mail-address-in-use-sign-in = Pour vous connecter : { $url }
mail-approved-subject = Votre inscription sur { $instance } est acceptée
mail-approved-body = L'équipe de { $instance } a accepté votre demande d'inscription. Vous pouvez vous connecter.
mail-approved-action = Se connecter
mail-refused-subject = Votre demande d'inscription sur { $instance }
mail-refused-body = L'équipe de { $instance } n'a pas accepté votre demande d'inscription. Votre adresse et ce que vous aviez saisi ont été effacés.
mail-notification-subject = { $kind ->
    [mention] { $actor } vous a mentionné·e
    [follow] { $actor } vous suit
    [follow_request] { $actor } demande à vous suivre
    [favourite] { $actor } a aimé votre publication
    [reblog] { $actor } a partagé votre publication
    [event_participation] { $actor } participe à votre événement
    [event_accepted] Votre participation est acceptée
    [event_refused] Votre participation n'a pas été retenue
    [event_promoted] Une place s'est libérée : vous participez
    [event_invited] { $actor } vous invite à un événement
    [event_reminder] Rappel : votre événement approche
    [event_short] Un créneau de votre mission manque encore de monde
    [event_cancelled] Un événement auquel vous participez est annulé
    [event_updated] Un événement auquel vous participez a changé
    [event_left] { $actor } ne participe plus à votre événement
    [event_attendance] Notez les présences de votre événement
    [mission_new] Une nouvelle mission a besoin de monde
    [mission_short] Un créneau d'une mission de votre groupe manque de monde
    [group_join_request] { $actor } demande à rejoindre votre groupe
    [affiliation_request] { $actor } demande à être affiliée à votre fédération
    [admin_sign_up] { $actor } demande à s'inscrire
    [poll] Un sondage auquel vous avez participé est terminé
    [report_resolved] Votre signalement a été traité par l'équipe de modération
    [data_export_ready] L'archive de vos données est prête à télécharger
   *[other] Nouvelle notification de { $actor }
}
mail-notification-action = Voir sur { $instance }
mail-notification-why = Vous recevez cet e-mail parce que vos préférences de notification le demandent.
mail-unsubscribe = Ne plus recevoir ce type d'e-mail
mail-notification-kind = { $kind ->
    [mention] les mentions
    [follow] les nouveaux abonnements
    [follow_request] les demandes d'abonnement
    [favourite] les « j'aime »
    [reblog] les partages
    [event_participation] les participations à vos événements
    [event_accepted] les participations acceptées
    [event_refused] les participations refusées
    [event_promoted] les places libérées
    [event_invited] les invitations aux événements
    [event_reminder] les rappels d'événements
    [event_short] les créneaux qui manquent de monde
    [event_cancelled] les événements annulés
    [event_updated] les événements modifiés
    [event_left] les désistements à vos événements
    [event_attendance] les demandes de noter les présences
    [mission_new] les nouvelles missions
    [mission_short] les créneaux de missions qui manquent de monde
    [group_join_request] les demandes d'adhésion à vos groupes
    [affiliation_request] les demandes d'affiliation
    [admin_sign_up] les demandes d'inscription
    [poll] les sondages terminés
    [report_resolved] les signalements traités
    [data_export_ready] les archives de vos données
   *[other] ces notifications
}

## Pages
error-mail-unavailable = L'envoi d'e-mails n'est pas configuré sur cette instance : cette fonction n'est pas disponible. Contactez l'équipe de l'instance.
error-mail-link-invalid = Ce lien ne fonctionne pas : il est incomplet, a déjà servi ou a expiré. Vous pouvez en demander un nouveau.
error-email-unconfirmed = Votre adresse e-mail n'est pas encore confirmée : suivez le lien que nous vous avons envoyé.
error-email-already-confirmed = Cette adresse est déjà confirmée.
error-email-unchanged = est déjà l'adresse de votre compte
error-unsubscribe-invalid = Ce lien de désabonnement n'est pas valide.
field-token = Lien
field-new_email = Nouvelle adresse e-mail
flash-password-reset = Mot de passe changé. Vous pouvez vous connecter avec le nouveau.
flash-email-confirmed = Adresse e-mail confirmée.
flash-email-change-sent = Nous avons envoyé un lien à la nouvelle adresse : suivez-le pour terminer le changement.
page-sign-in-forgot = Mot de passe oublié ?
page-sign-in-no-confirmation = Pas reçu l'e-mail de confirmation ?
page-sign-up-confirm-title = Vérifiez vos e-mails
page-sign-up-confirm = Nous avons envoyé un lien à l'adresse que vous avez donnée. Suivez-le pour confirmer votre adresse ; si votre inscription doit être validée par l'équipe, vous pourrez vous connecter ensuite, une fois validée.
page-password-reset-title = Mot de passe oublié
page-password-reset-intro = Indiquez l'adresse e-mail de votre compte : nous y enverrons un lien pour choisir un nouveau mot de passe.
page-confirmation-title = Recevoir à nouveau le lien de confirmation
page-confirmation-intro = Indiquez l'adresse e-mail de votre compte : si elle attend d'être confirmée, nous y enverrons un nouveau lien.
page-mail-ask-submit = Envoyer le lien
page-mail-sent-title = Vérifiez vos e-mails
page-mail-sent-if-known = Si cette adresse correspond à un compte, un e-mail vient d'y être envoyé. Pensez à regarder dans les indésirables.
page-password-edit-title = Choisir un nouveau mot de passe
page-password-edit-submit = Enregistrer le mot de passe
page-settings-email = Adresse e-mail
page-settings-email-current = Adresse actuelle : { $email }
page-settings-email-effect = Un lien de confirmation sera envoyé à la nouvelle adresse, et un avertissement à l'actuelle. L'adresse change quand le lien est suivi.
page-settings-email-submit = Changer d'adresse
page-unsubscribe-title = Se désabonner
page-unsubscribe-ask = Ne plus recevoir par e-mail { $kind } ?
page-unsubscribe-submit = Me désabonner
page-unsubscribe-done = C'est fait : vous ne recevrez plus par e-mail { $kind }. Vous pouvez changer cela dans vos préférences.
mail-digest-subject = { $frequency ->
    [weekly] Votre semaine sur { $instance }
   *[daily] Votre journée sur { $instance }
}
mail-digest-body = { $frequency ->
    [weekly] Voici ce qui s'est passé cette semaine dans vos groupes.
   *[daily] Voici ce qui s'est passé aujourd'hui dans vos groupes.
}
mail-digest-missions = Missions qui ont besoin de vous
mail-digest-events = Événements à venir
mail-digest-discussions = Nouvelles discussions
mail-digest-why = Vous recevez ce résumé parce que vous l'avez demandé dans vos préférences de notification.
mail-digest-unsubscribe = Ne plus recevoir ce résumé
mail-digest-name = le résumé de vos groupes
mail-leave-action = Je ne peux plus venir : libérer ma place
page-leave-title = Je ne peux plus venir
page-leave-ask = Vous ne pouvez plus venir à « { $name } » ? Libérez votre place : la première personne en liste d'attente la prendra.
page-leave-submit = Libérer ma place
page-leave-done = C'est fait : vous ne participez plus à « { $name } ». Merci d'avoir prévenu.
page-leave-not-taking-part = Vous ne participez pas (ou plus) à « { $name } ».
page-leave-see-event = Voir l'événement
error-leave-link-invalid = Ce lien n'est pas valable.
