"""Errors named as AWS names them; the protocol layer turns them into wire errors.

A handler raises e.g. ``ResourceNotFoundException("User pool ... does not exist.")``;
the class name is the ``__type`` a client sees, so it must match AWS exactly.
"""

from __future__ import annotations


class CognitoError(Exception):
    """Base of every error a client may see. 400 unless the subclass says otherwise."""

    status: int = 400

    def __init__(
        self, message: str = "", *, code: str | None = None, status: int | None = None, keep_changes: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or type(self).__name__
        if status is not None:
            self.status = status
        # True when the request's writes must be committed although it fails
        # (a wrong code or password still counts as an attempt).
        self.keep_changes = keep_changes


def _named(name: str, status: int = 400) -> type[CognitoError]:
    return type(name, (CognitoError,), {"status": status, "__doc__": f"AWS error {name}."})


# Protocol-level errors.
SerializationException = _named("SerializationException")
UnknownOperationException = _named("UnknownOperationException")
ValidationException = _named("ValidationException")
NotImplementedOperation = _named("NotImplementedException", 501)
InternalErrorException = _named("InternalErrorException", 500)

# cognito-idp errors.
InvalidParameterException = _named("InvalidParameterException")
ResourceNotFoundException = _named("ResourceNotFoundException")
NotAuthorizedException = _named("NotAuthorizedException")
LimitExceededException = _named("LimitExceededException")
TooManyRequestsException = _named("TooManyRequestsException")
InvalidOAuthFlowException = _named("InvalidOAuthFlowException")
# Lambda triggers: the function threw / answered nonsense / could not be run.
UserLambdaValidationException = _named("UserLambdaValidationException")
InvalidLambdaResponseException = _named("InvalidLambdaResponseException")
UnexpectedLambdaException = _named("UnexpectedLambdaException")
ScopeDoesNotExistException = _named("ScopeDoesNotExistException")
UserPoolTaggingException = _named("UserPoolTaggingException")
ConcurrentModificationException = _named("ConcurrentModificationException")
UnsupportedOperationException = _named("UnsupportedOperationException")
UserNotFoundException = _named("UserNotFoundException")
UsernameExistsException = _named("UsernameExistsException")
GroupExistsException = _named("GroupExistsException")
InvalidPasswordException = _named("InvalidPasswordException")
CodeMismatchException = _named("CodeMismatchException")
ExpiredCodeException = _named("ExpiredCodeException")
AliasExistsException = _named("AliasExistsException")
UserNotConfirmedException = _named("UserNotConfirmedException")
PasswordResetRequiredException = _named("PasswordResetRequiredException")
InvalidUserPoolConfigurationException = _named("InvalidUserPoolConfigurationException")
TooManyFailedAttemptsException = _named("TooManyFailedAttemptsException")
PasswordHistoryPolicyViolationException = _named("PasswordHistoryPolicyViolationException")
UnsupportedTokenTypeException = _named("UnsupportedTokenTypeException")
UnauthorizedException = _named("UnauthorizedException")
FeatureUnavailableInTierException = _named("FeatureUnavailableInTierException")
UnsupportedUserStateException = _named("UnsupportedUserStateException")
SoftwareTokenMFANotFoundException = _named("SoftwareTokenMFANotFoundException")
EnableSoftwareTokenMFAException = _named("EnableSoftwareTokenMFAException")
MFAMethodNotFoundException = _named("MFAMethodNotFoundException")
DeviceKeyExistsException = _named("DeviceKeyExistsException")

# cognito-identity errors.
InvalidIdentityPoolConfigurationException = _named("InvalidIdentityPoolConfigurationException")
DeveloperUserAlreadyRegisteredException = _named("DeveloperUserAlreadyRegisteredException")
ResourceConflictException = _named("ResourceConflictException")
