# Mots-dièse : suivis, mis en avant (API Mastodon).
error-tag-name-empty = Indiquez un mot-dièse.
error-tag-name-long = Un mot-dièse compte au plus { $max } caractères.
error-tag-name-chars = Un mot-dièse ne contient que des lettres, des chiffres et « _ », et pas seulement des chiffres.
error-featured-tag-limit = Vous mettez déjà en avant { $count } mots-dièse, le maximum.
error-followed-tag-limit = Vous suivez déjà { $count } mots-dièse, le maximum.
