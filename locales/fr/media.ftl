# Media: uploads, attachments, files.
error-media-type = n'est pas d'un type accepté (images JPEG, PNG, WebP ou GIF ; vidéos MP4 ou WebM ; sons MP3, Ogg ou M4A ; documents PDF)
error-media-unreadable = est illisible ou abîmé
error-media-pixels = a trop de pixels (au plus 7680 × 4320)
error-media-too-large = est trop volumineux
error-media-too-long = dure trop longtemps (au plus trois heures)
error-media-quota = dépasse l'espace de stockage de votre compte
error-media-too-many = { $max } pièces jointes au plus
error-media-unknown = ne désigne pas un de vos fichiers
error-media-processing = un fichier est encore en cours de traitement : réessayez dans un instant
error-media-used = un fichier est déjà utilisé ailleurs
error-media-not-image = doit être une image
error-media-thumbnail = les vignettes personnalisées ne sont pas encore prises en charge
error-focus = doit être deux nombres de -1 à 1 séparés par une virgule (x,y)
error-description-too-long = 1500 caractères au plus
field-file = Fichier
field-thumbnail = Vignette
field-focus = Point focal
