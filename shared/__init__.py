"""Infrastructure shared by every YRD Legal Link service: contracts, Kafka, store, web, auth, audit."""
