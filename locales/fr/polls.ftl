## Sondages et publications programmées
field-poll = Sondage
field-choices = Choix
field-scheduled_at = Heure de publication
field-content_type = Format du texte
field-media_attributes = Descriptions des pièces jointes
error-poll-too-few-options = Un sondage a au moins deux choix.
error-poll-too-many-options = Un sondage a au plus { $max } choix.
error-poll-option-empty = Un choix du sondage est vide.
error-poll-option-too-long = Un choix du sondage dépasse { $max } caractères.
error-poll-duplicate-options = Deux choix du sondage sont identiques.
error-poll-expiry = Un sondage dure de { $min } minutes à { $max } jours (expires_in, en secondes).
error-poll-expiry-missing = Indiquez la durée du sondage (expires_in, en secondes).
error-poll-no-choice = Choisissez au moins une réponse.
error-poll-one-choice = Ce sondage n’accepte qu’un seul choix.
error-poll-unknown-choice = Ce sondage n’a pas ce choix.
error-poll-expired = Ce sondage est terminé.
error-poll-own = Vous ne pouvez pas voter à votre propre sondage.
error-poll-already-voted = Vous avez déjà voté à ce sondage.
error-poll-with-media = Une publication ne peut pas avoir à la fois un sondage et des pièces jointes.
error-poll-edit = Un sondage ne s’ajoute ni ne se modifie une fois publié ; supprimez la publication et écrivez-la de nouveau.
error-scheduled-at-invalid = L’heure de publication doit être une date et une heure comme 2026-12-24T18:00:00Z.
error-scheduled-too-soon = L’heure de publication doit être dans { $minutes } minutes au moins.
error-scheduled-too-many = Vous avez déjà { $max } publications programmées.
error-scheduled-too-many-that-day = Vous avez déjà { $max } publications programmées ce jour-là.
error-scheduled-edit = Une publication déjà parue ne peut pas être programmée.
error-scheduled-author-gone = L’auteur·e de cette publication programmée n’existe plus.
error-status-param-unsupported = Ce serveur ne prend pas en charge le paramètre « { $name } » : la publication n’a pas été faite, pour que rien de ce que vous avez demandé ne soit perdu.
error-content-type-unsupported = Ce serveur lit les publications en texte brut seulement (content_type text/plain).
notification-poll = · un sondage auquel vous avez participé est terminé
pref-kind-poll = Un sondage que j’ai écrit ou auquel j’ai voté est terminé
push-title-poll = Un sondage de { $name } est terminé
poll-votes = { $count ->
    [one] { $count } vote
   *[other] { $count } votes
}
poll-voters = { $count ->
    [one] { $count } personne
   *[other] { $count } personnes
}
poll-ends = Se termine { $when }
poll-closed = Terminé
poll-vote = Voter
poll-hidden-totals = Les résultats s’affichent à la fin du sondage.
poll-your-choice = votre choix
flash-poll-voted = Votre vote est compté.
