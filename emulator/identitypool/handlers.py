"""cognito-identity and STS handlers register here as they are implemented."""
