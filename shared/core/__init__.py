"""How work runs: the unit of work, the one route of events, the request context, instance settings."""
