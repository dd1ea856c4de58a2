"""Tables of the identity-pool half (filled in by the identity-pool work)."""
