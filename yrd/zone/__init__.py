"""The three-cluster zone: each region's own Kafka cluster, the links between regions, MirrorMaker 2.

layout     where everything listens and how each cluster and MirrorMaker is configured (pure)
links      the inter-region network: one TCP link per (cluster, reading region), cut and healed on demand
processes  starting and stopping the brokers, the links and the MirrorMaker processes
cli        `yrd zone up | down | status | cut | heal`
"""
