# Où un message au cercle des sympathisant·es ne se voit pas
group-audience-sympathizers-elsewhere = Des sympathisant·es suivent ce groupe depuis d’autres serveurs : un message au cercle Sympathisant·es ne s’affiche que sur coopol. Celles et ceux qui utilisent Mastodon, Lemmy ou un autre logiciel ne le verront pas ; pour les atteindre, publiez en public.
