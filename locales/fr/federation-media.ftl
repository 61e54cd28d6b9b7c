# Médias d'autres serveurs : leurs fichiers, récupérés et copiés ici quand quelqu'un les regarde.
error-media-remote-unavailable = le serveur d'où vient ce fichier n'a pas répondu : réessayez plus tard
error-media-remote-missing = le serveur d'où vient ce fichier ne le donne pas
error-media-remote-refused = l'adresse de ce fichier ne peut pas être consultée
