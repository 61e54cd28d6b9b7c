# Deliveries given up (administration)
nav-admin-deliveries = Deliveries given up
page-admin-deliveries = Deliveries given up
page-admin-deliveries-intro = Activities other servers did not take: refused for good (a 4xx error), or failing at every attempt while the same server took other deliveries (given up after 24 attempts, about 19 hours). A server that cannot be reached is not given up: its deliveries wait until it is back. Kept 30 days, 1000 deliveries at most.
page-admin-deliveries-all = All servers
page-admin-deliveries-none = No delivery given up.
page-admin-deliveries-hosts = Per server
page-admin-deliveries-count = Given up
page-admin-deliveries-last = Last given up
page-admin-deliveries-recent = Latest deliveries given up
page-admin-deliveries-recent-of = Latest deliveries given up to { $host }
page-admin-deliveries-when = Given up
page-admin-deliveries-activity = Activity
page-admin-deliveries-status = Last answer
page-admin-deliveries-attempts = Attempts
page-admin-deliveries-error = Error
