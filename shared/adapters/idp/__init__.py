"""The development identity provider (Keycloak): its realms, generated from the project's own lists, their
provisioning, and client-credentials tokens for scripts. Token verification is shared/adapters/oidc.py; the
pages' browser sign-in is shared/entrypoints/signin.py."""
