"""Lambda triggers of user pools: Cognito's events, the functions that answer them, and their effects.

- ``invoke``: runs a function ARN (a Python callable registered in-process, a plain HTTP
  URL mapped to the ARN, or the Lambda Invoke API at ``--lambda-endpoint``) and maps its
  failures to Cognito's three exceptions;
- ``events``: the common event shape, the pool's LambdaConfig, what the API call gave;
- one module per trigger family: ``signup`` (PreSignUp, PostConfirmation), ``auth``
  (Pre/PostAuthentication, UserMigration), ``pre_token`` (PreTokenGeneration V1–V3),
  ``messages`` (CustomMessage, CustomEmailSender/CustomSMSSender), ``challenges``
  (Define/Create/VerifyAuthChallenge for CUSTOM_AUTH).

Nothing here runs when a pool has no trigger: every entry point returns at once.
"""
