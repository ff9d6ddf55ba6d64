"""Sign-in at each region's identity provider (OpenID Connect): the development Keycloak's realms and their
provisioning, token verification against a provider's published keys, and the pages' browser sign-in."""
