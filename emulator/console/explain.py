"""One line per claim: what it is and which token carries it (reference §2).

The lesson the token inspector teaches: identity (who: attributes, ``aud``,
``cognito:username``) lives in the ID token; authorization (what for: ``scope``,
``client_id``, ``username``) lives in the access token.
"""

from __future__ import annotations

from dataclasses import dataclass

ID = "ID token only"
ACCESS = "access token only"
BOTH = "both tokens"


@dataclass(frozen=True)
class Explanation:
    text: str
    carried_by: str


CLAIMS: dict[str, Explanation] = {
    "sub": Explanation("The user's permanent unique id (a UUID) in this pool; never reused, unlike a username.", BOTH),
    "iss": Explanation("Issuer: the user pool that minted the token; its public keys are at iss + "
                       "/.well-known/jwks.json.", BOTH),
    "aud": Explanation("Audience: the app client id the ID token was issued to. Access tokens have no aud: "
                       "check client_id there.", ID),
    "client_id": Explanation("The app client the access token was issued to (it stands in for aud).", ACCESS),
    "token_use": Explanation("\"id\" or \"access\": check it, so that one kind is never accepted for the other.", BOTH),
    "scope": Explanation("What the access token allows. aws.cognito.signin.user.admin opens the user's own "
                         "Cognito APIs (GetUser, ChangePassword...); OAuth flows grant OAuth scopes.", ACCESS),
    "username": Explanation("The user's internal username (never an alias such as the e-mail address).", ACCESS),
    "cognito:username": Explanation("The user's internal username, as the ID token names it.", ID),
    "auth_time": Explanation("When the user actually signed in (epoch seconds); a refresh keeps it.", BOTH),
    "iat": Explanation("Issued at (epoch seconds); a refresh gives a new one.", BOTH),
    "exp": Explanation("Expires at (epoch seconds); no verifier may accept the token after it.", BOTH),
    "jti": Explanation("This token's own unique id.", BOTH),
    "origin_jti": Explanation("The sign-in family: shared by the refresh token and every token minted from it. "
                              "RevokeToken revokes by this id.", BOTH),
    "event_id": Explanation("The id of the sign-in event that started this family.", BOTH),
    "cognito:groups": Explanation("The user's groups, best precedence first (present only if the user has any).",
                                  BOTH),
    "cognito:roles": Explanation("IAM role ARNs of the user's groups, for identity pools' token-based roles.", ID),
    "cognito:preferred_role": Explanation("The role of the user's best-precedence group that has one.", ID),
    "email": Explanation("User attribute: the e-mail address. Attributes are identity: ID token only.", ID),
    "email_verified": Explanation("Whether the e-mail is verified: a JSON boolean here, the string \"true\"/"
                                  "\"false\" in API attribute lists.", ID),
    "phone_number": Explanation("User attribute: the phone number (E.164).", ID),
    "phone_number_verified": Explanation("Whether the phone number is verified (a JSON boolean in tokens).", ID),
    "identities": Explanation("Federated users only: the external identity provider logins linked to this user.",
                              ID),
    "at_hash": Explanation("Hash of the access token issued with it (Hosted UI / OAuth sign-ins).", ID),
    "nonce": Explanation("The nonce the app sent to the authorize endpoint, echoed back (OAuth sign-ins).", ID),
    "device_key": Explanation("The remembered device this session signed in from (device tracking).", ACCESS),
    "version": Explanation("Token format version; OAuth-issued access tokens carry 2.", ACCESS),
    "amr": Explanation("Authentication methods (identity-pool OpenID tokens).", BOTH),
}


def explain(name: str) -> Explanation:
    """The explanation of a claim; attributes and unknown claims get a generic line."""
    known = CLAIMS.get(name)
    if known is not None:
        return known
    if name.startswith("custom:"):
        return Explanation("Custom user attribute (always a string in tokens). ID token only.", ID)
    if name in STANDARD_ATTRIBUTES:
        return Explanation(f"User attribute: {name.replace('_', ' ')}. Attributes are identity: ID token only.", ID)
    return Explanation("Not a claim Cognito itself writes: added by a pre token generation trigger?", "")


STANDARD_ATTRIBUTES = frozenset({
    "address", "birthdate", "family_name", "gender", "given_name", "locale", "middle_name", "name", "nickname",
    "picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo",
})
