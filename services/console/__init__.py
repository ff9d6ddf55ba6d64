"""The zone's operations page (一图统筹): one live picture for operators and supervisors, from Prometheus."""
