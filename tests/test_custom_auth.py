"""CUSTOM_AUTH over the wire: the Define/Create/Verify loop, sessions between steps, the
SRP-then-custom variant, failures and unknown users."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import PASSWORD, attrs_of, claims_of, error_of, make_client, make_user
from tests.lambda_server import Triggers, lambda_host, triggers  # noqa: F401 - fixtures
from tests.test_signin_srp import SrpClient

FLOWS = ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def define(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """The usual shape: SRP first when asked, then up to three questions."""
    session = event["request"]["session"]
    answers = [s for s in session if s["challengeName"] == "CUSTOM_CHALLENGE"]
    response = event["response"]
    if session and session[-1]["challengeName"] == "SRP_A":
        response.update(challengeName="PASSWORD_VERIFIER", issueTokens=False, failAuthentication=False)
    elif answers and answers[-1]["challengeResult"]:
        response.update(issueTokens=True, failAuthentication=False)
    elif len(answers) >= 3:
        response.update(issueTokens=False, failAuthentication=True)
    else:
        response.update(challengeName="CUSTOM_CHALLENGE", issueTokens=False, failAuthentication=False)
    return event


def create(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    step = len(event["request"]["session"])
    event["response"].update(publicChallengeParameters={"question": "2+2?", "step": str(step)},
                             privateChallengeParameters={"answer": "4"}, challengeMetadata=f"QUESTION-{step}")
    return event


def verify(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    request = event["request"]
    event["response"]["answerCorrect"] = request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
    return event


@pytest.fixture
def custom(triggers: Triggers, idp: Any) -> dict[str, Any]:
    arns = {"DefineAuthChallenge": triggers.function(define, "define"),
            "CreateAuthChallenge": triggers.function(create, "create"),
            "VerifyAuthChallengeResponse": triggers.function(verify, "verify")}
    pool_id = triggers.pool(arns)
    user = make_user(idp, pool_id, attributes={"email": "alice@example.com"})
    return {"pool_id": pool_id, "arns": arns, "client": make_client(idp, pool_id, flows=FLOWS),
            "sub": attrs_of(user)["sub"]}


def _start(idp: Any, client: dict[str, Any], username: str = "alice", **params: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="CUSTOM_AUTH",
                             AuthParameters={"USERNAME": username, **params})


def _answer(idp: Any, client: dict[str, Any], session: str, answer: str, username: str = "alice",
            **extra: Any) -> dict[str, Any]:
    return idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="CUSTOM_CHALLENGE",
                                         Session=session, ChallengeResponses={"USERNAME": username, "ANSWER": answer},
                                         **extra)


def test_question_wrong_then_right(triggers: Triggers, idp: Any, custom: dict[str, Any]) -> None:
    client = custom["client"]
    first = _start(idp, client)
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {"question": "2+2?", "step": "0", "USERNAME": "alice"}
    second = _answer(idp, client, first["Session"], "5")
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE" and second["Session"] != first["Session"]
    assert second["ChallengeParameters"]["step"] == "1"
    done = _answer(idp, client, second["Session"], "4", ClientMetadata={"device": "phone"})
    tokens = done["AuthenticationResult"]
    assert claims_of(tokens["IdToken"])["sub"] == custom["sub"]
    refreshed = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert refreshed["AuthenticationResult"]["AccessToken"]

    defines = triggers.events(custom["arns"]["DefineAuthChallenge"])
    assert [e["triggerSource"] for e in defines] == ["DefineAuthChallenge_Authentication"] * 3
    assert defines[0]["request"]["session"] == []
    assert defines[0]["request"]["userAttributes"]["email"] == "alice@example.com"
    assert "clientMetadata" not in defines[0]["request"]  # InitiateAuth does not pass it
    assert defines[0]["response"] == {"challengeName": None, "issueTokens": None, "failAuthentication": None}
    assert defines[2]["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": "QUESTION-0"},
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True, "challengeMetadata": "QUESTION-1"},
    ]
    assert defines[2]["request"]["clientMetadata"] == {"device": "phone"}
    creates = triggers.events(custom["arns"]["CreateAuthChallenge"])
    assert creates[0]["triggerSource"] == "CreateAuthChallenge_Authentication"
    assert creates[0]["request"]["challengeName"] == "CUSTOM_CHALLENGE"
    assert creates[0]["response"] == {"publicChallengeParameters": None, "privateChallengeParameters": None,
                                      "challengeMetadata": None}
    verifies = triggers.events(custom["arns"]["VerifyAuthChallengeResponse"])
    assert verifies[1]["triggerSource"] == "VerifyAuthChallengeResponse_Authentication"
    assert verifies[1]["request"]["privateChallengeParameters"] == {"answer": "4"}
    assert verifies[1]["request"]["challengeAnswer"] == "4"
    assert verifies[1]["response"] == {"answerCorrect": None}
    assert "userNotFound" not in verifies[1]["request"]  # only when the client hides user existence


def test_three_wrong_answers_fail(idp: Any, custom: dict[str, Any]) -> None:
    client = custom["client"]
    session = _start(idp, client)["Session"]
    for _ in range(2):
        session = _answer(idp, client, session, "wrong")["Session"]
    with pytest.raises(ClientError) as exc:
        _answer(idp, client, session, "wrong")
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_session_is_single_use_and_bound_to_the_user(idp: Any, custom: dict[str, Any]) -> None:
    client = custom["client"]
    session = _start(idp, client)["Session"]
    _answer(idp, client, session, "wrong")
    with pytest.raises(ClientError) as reused:
        _answer(idp, client, session, "4")
    assert error_of(reused) == ("NotAuthorizedException", "Invalid session for the user, session can only be used once.")
    with pytest.raises(ClientError) as garbage:
        _answer(idp, client, "not-a-session-of-this-pool", "4")
    assert error_of(garbage) == ("NotAuthorizedException", "Invalid session for the user.")
    make_user(idp, custom["pool_id"], "bob")
    with pytest.raises(ClientError) as other:
        _answer(idp, client, _start(idp, client)["Session"], "4", username="bob")
    assert error_of(other)[0] == "NotAuthorizedException"


def test_not_configured(triggers: Triggers, idp: Any) -> None:
    pool_id = triggers.pool({})
    make_user(idp, pool_id)
    with pytest.raises(ClientError) as exc:
        _start(idp, make_client(idp, pool_id, flows=FLOWS))
    assert error_of(exc) == ("InvalidParameterException",
                             "Custom auth lambda trigger is not configured for the user pool.")


def test_flow_not_enabled(idp: Any, custom: dict[str, Any]) -> None:
    client = make_client(idp, custom["pool_id"], flows=["ALLOW_USER_SRP_AUTH"])
    with pytest.raises(ClientError) as exc:
        _start(idp, client)
    assert error_of(exc) == ("InvalidParameterException", "Auth flow not enabled for this client")


def test_unknown_user(triggers: Triggers, idp: Any, custom: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as legacy:
        _start(idp, custom["client"], "nobody")
    assert error_of(legacy) == ("UserNotFoundException", "User does not exist.")
    hidden = make_client(idp, custom["pool_id"], flows=FLOWS, PreventUserExistenceErrors="ENABLED")
    first = _start(idp, hidden, "nobody")  # the loop runs, so the answer reveals nothing
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    with pytest.raises(ClientError) as exc:
        _answer(idp, hidden, first["Session"], "4", username="nobody")
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    defines = triggers.events(custom["arns"]["DefineAuthChallenge"])
    assert defines[-1]["request"]["userNotFound"] is True and defines[-1]["userName"] == "nobody"


def test_fail_authentication_at_once(triggers: Triggers, idp: Any) -> None:
    refuse = triggers.echo("define", lambda e: e["response"].update(failAuthentication=True, issueTokens=False))
    pool_id = triggers.pool({"DefineAuthChallenge": refuse})
    make_user(idp, pool_id)
    with pytest.raises(ClientError) as exc:
        _start(idp, make_client(idp, pool_id, flows=FLOWS))
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_issue_tokens_at_once_runs_post_authentication(triggers: Triggers, idp: Any) -> None:
    post = triggers.echo("postauth")
    allow = triggers.echo("define", lambda e: e["response"].update(issueTokens=True, failAuthentication=False))
    pool_id = triggers.pool({"DefineAuthChallenge": allow, "PostAuthentication": post})
    make_user(idp, pool_id)
    result = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=make_client(idp, pool_id, flows=FLOWS)["ClientId"],
                                     AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    assert result["AuthenticationResult"]["IdToken"]
    assert [e["triggerSource"] for e in triggers.events(post)] == ["PostAuthentication_Authentication"]


def test_bad_define_answer_is_invalid(triggers: Triggers, idp: Any) -> None:
    odd = triggers.echo("define", lambda e: e["response"].update(challengeName="DANCE"))
    pool_id = triggers.pool({"DefineAuthChallenge": odd})
    make_user(idp, pool_id)
    with pytest.raises(ClientError) as exc:
        _start(idp, make_client(idp, pool_id, flows=FLOWS))
    assert error_of(exc) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")


def test_define_throw(triggers: Triggers, idp: Any) -> None:
    def broken(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise RuntimeError("no luck")

    pool_id = triggers.pool({"DefineAuthChallenge": triggers.function(broken)})
    make_user(idp, pool_id)
    with pytest.raises(ClientError) as exc:
        _start(idp, make_client(idp, pool_id, flows=FLOWS))
    assert error_of(exc) == ("UserLambdaValidationException", "DefineAuthChallenge failed with error no luck.")


def test_srp_then_custom_challenge(triggers: Triggers, idp: Any, custom: dict[str, Any]) -> None:
    client = custom["client"]
    srp = SrpClient(custom["pool_id"], PASSWORD)
    first = _start(idp, client, SRP_A=srp.srp_a, CHALLENGE_NAME="SRP_A")
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    params = first["ChallengeParameters"]
    assert set(params) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    assert first["Session"]
    second = idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                           Session=first["Session"], ChallengeResponses=srp.responses(params))
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE"
    done = _answer(idp, client, second["Session"], "4")
    assert done["AuthenticationResult"]["AccessToken"]
    sessions = [e["request"]["session"] for e in triggers.events(custom["arns"]["DefineAuthChallenge"])]
    assert sessions[0] == [{"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}]
    assert [s["challengeName"] for s in sessions[1]] == ["SRP_A", "PASSWORD_VERIFIER"]
    assert [(s["challengeName"], s["challengeResult"]) for s in sessions[2]] == [
        ("SRP_A", True), ("PASSWORD_VERIFIER", True), ("CUSTOM_CHALLENGE", True)]


def test_srp_then_custom_wrong_password(idp: Any, custom: dict[str, Any]) -> None:
    client = custom["client"]
    srp = SrpClient(custom["pool_id"], "Not-The-Passw0rd")
    first = _start(idp, client, SRP_A=srp.srp_a, CHALLENGE_NAME="SRP_A")
    with pytest.raises(ClientError) as exc:
        idp.respond_to_auth_challenge(ClientId=client["ClientId"], ChallengeName="PASSWORD_VERIFIER",
                                      Session=first["Session"], ChallengeResponses=srp.responses(first["ChallengeParameters"]))
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_password_verifier_without_srp_a(triggers: Triggers, idp: Any) -> None:
    asks_srp = triggers.echo("define", lambda e: e["response"].update(challengeName="PASSWORD_VERIFIER"))
    pool_id = triggers.pool({"DefineAuthChallenge": asks_srp})
    make_user(idp, pool_id)
    with pytest.raises(ClientError) as exc:
        _start(idp, make_client(idp, pool_id, flows=FLOWS))
    assert error_of(exc) == ("InvalidParameterException", "Missing required parameter SRP_A")
