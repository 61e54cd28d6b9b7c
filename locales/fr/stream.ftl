# The streaming API (live timelines and notifications for apps).
stream-unknown = Type de flux inconnu (attendus : user, user:notification, public, public:local, public:remote, hashtag, hashtag:local, direct, list)
stream-tag-missing = Aucun mot-dièse indiqué pour ce flux (paramètre « tag »)
stream-tag-too-long = Le mot-dièse de ce flux est trop long
stream-list-missing = Aucune liste indiquée pour ce flux (paramètre « list »)
stream-list-unknown = Cette liste n'existe pas, ou n'est pas à vous
stream-token-missing = Ce flux demande un jeton d'accès
stream-scope-missing = Le jeton d'accès n'a pas les autorisations demandées par ce flux (read, ou read:statuses, ou read:notifications)
stream-user-required = Ce flux demande le jeton d'une personne, pas celui d'une application
stream-bad-message = Message illisible : attendu un objet JSON comme {"{"}"type" : "subscribe", "stream" : "public"{"}"}
stream-too-many = Trop de flux suivis sur cette connexion
