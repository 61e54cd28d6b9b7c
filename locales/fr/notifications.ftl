error-marker-timeline = Ce fil n’a pas de marqueur : « home » ou « notifications ».
error-marker-id = L’identifiant lu doit être un nombre positif.
