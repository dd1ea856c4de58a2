"""Identity pools (cognito-identity) and STS: the credential vending machine."""
