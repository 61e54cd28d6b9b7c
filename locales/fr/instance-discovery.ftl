# Les points d'entrée de découverte de l'instance : annuaire, suggestions, tendances.
error-offset-negative = doit être positif ou nul
error-directory-order = Choisissez « active » ou « new ».
field-order = Ordre
