"""The authorizer's defaults, apart so that building the CLI's parser imports nothing else."""

DEFAULT_ENDPOINT = "http://127.0.0.1:9229"  # where Cogito serves the pools' JWKS
MODES = ("rest", "jwt", "lambda-token", "lambda-request")
DEFAULT_TTL = 300  # seconds: API Gateway's default authorizer result cache
MAX_TTL = 3600
DEFAULT_API_ID = "cogitoapi0"
DEFAULT_STAGE = "local"
DEFAULT_PORT = 9230
