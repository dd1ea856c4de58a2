"""Sign-in: auth flows and challenges, sessions, token minting, refresh and revocation."""
