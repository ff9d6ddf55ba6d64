"""Kafka plumbing: producer settings, topic provisioning, the consumer runner and dead-lettering."""
