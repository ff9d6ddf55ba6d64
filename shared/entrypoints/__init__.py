"""Where processes start: the bootstrap (runtime), the HTTP app, the audit route, the `yrd` cli, demo, rebuild."""
