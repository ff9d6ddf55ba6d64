"""Who may do what: region-issued tokens, the policy table, purposes."""
