"""Pure rules shared by every service: identities and masking, field types, the access policy, ownership."""
