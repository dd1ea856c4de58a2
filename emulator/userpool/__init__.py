"""User pools (cognito-idp): the user directory and sign-in."""
