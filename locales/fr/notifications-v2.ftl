# Notifications groupées (API v2 de Mastodon) et conversations.
error-expand-accounts = Valeur inconnue pour expand_accounts (attendu : full ou partial_avatars)
