"""What talks to the outside: the store and its modules, Kafka, tokens, peers, the HTTP gate, logs, metrics."""
