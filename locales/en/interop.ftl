# What other servers read of coopol's objects (in the instance's language).

# A cancelled event's name, for servers that read only the name (Gancio, Lemmy).
event-name-cancelled = ❌ CANCELLED: { $name }
