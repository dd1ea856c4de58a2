"""How Cogito runs a trigger's function (Lambda Invoke API, plain URL, in-process callable) and
how each kind of failure reaches the caller. PreSignUp is the trigger used throughout: a
failed sign-up must create no user."""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.auth_helpers import PASSWORD, error_of, make_client
from tests.lambda_server import Raw, Triggers, lambda_host, triggers  # noqa: F401 - fixtures


def _sign_up(idp: Any, pool_id: str) -> dict[str, Any]:
    return idp.sign_up(ClientId=make_client(idp, pool_id)["ClientId"], Username="carol", Password=PASSWORD)


def _refused(idp: Any, pool_id: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        _sign_up(idp, pool_id)
    with pytest.raises(ClientError) as missing:  # a failing trigger changes nothing
        idp.admin_get_user(UserPoolId=pool_id, Username="carol")
    assert error_of(missing)[0] == "UserNotFoundException"
    return error_of(exc)


def test_lambda_invoke_api_request(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("presignup")
    _sign_up(idp, triggers.pool({"PreSignUp": arn}))
    assert len(triggers.events(arn)) == 1
    (headers,) = triggers.headers(arn)
    assert headers["X-Amz-Invocation-Type"] == "RequestResponse"
    assert headers["Content-Type"] == "application/json"
    # SigV4 for the ARN's region: LocalStack and moto read region and account from it.
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=test/")
    assert "/eu-west-1/lambda/aws4_request" in headers["Authorization"]


def test_plain_url_mapped_to_the_arn(triggers: Triggers, idp: Any, lambda_host: Any) -> None:
    arn = "arn:aws:lambda:eu-west-1:000000000000:function:not-on-the-endpoint"
    hosted = triggers.echo("plain", lambda e: e["response"].update(autoConfirmUser=True))
    triggers.map_url(arn, lambda_host.plain_url(hosted.rsplit(":", 1)[1]))
    result = _sign_up(idp, triggers.pool({"PreSignUp": arn}))
    assert result["UserConfirmed"] is True
    (event,) = triggers.events(hosted)
    assert event["triggerSource"] == "PreSignUp_SignUp"
    assert "Authorization" not in triggers.headers(hosted)[0]


def test_plain_url_function_error(triggers: Triggers, idp: Any, lambda_host: Any) -> None:
    def refuse(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise PermissionError("No sign-ups today")

    hosted = triggers.function(refuse)
    arn = "arn:aws:lambda:eu-west-1:000000000000:function:mapped"
    triggers.map_url(arn, lambda_host.plain_url(hosted.rsplit(":", 1)[1]))
    assert _refused(idp, triggers.pool({"PreSignUp": arn})) == (
        "UserLambdaValidationException", "PreSignUp failed with error No sign-ups today.")


@pytest.mark.parametrize("answer", [Raw("this is not json"), "a string", ["a", "list"], None])
def test_bad_return_is_invalid_lambda_response(triggers: Triggers, idp: Any, answer: Any) -> None:
    arn = triggers.function(lambda event, context: answer)
    assert _refused(idp, triggers.pool({"PreSignUp": arn})) == (
        "InvalidLambdaResponseException", "Unrecognizable lambda output")


def test_bad_response_member_is_invalid_lambda_response(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("presignup", lambda e: e["response"].update(autoConfirmUser={"yes": 1}))
    assert _refused(idp, triggers.pool({"PreSignUp": arn}))[0] == "InvalidLambdaResponseException"


def test_string_booleans_are_accepted_like_jackson_does(triggers: Triggers, idp: Any) -> None:
    arn = triggers.echo("presignup", lambda e: e["response"].update(autoConfirmUser="true"))
    assert _sign_up(idp, triggers.pool({"PreSignUp": arn}))["UserConfirmed"] is True


def test_unknown_function_is_unexpected_lambda(triggers: Triggers, idp: Any) -> None:
    arn = "arn:aws:lambda:eu-west-1:000000000000:function:nobody-home"
    code, message = _refused(idp, triggers.pool({"PreSignUp": arn}))
    assert (code, message) == ("UnexpectedLambdaException",
                               "PreSignUp invocation failed due to error ResourceNotFoundException.")


def test_unreachable_url_is_unexpected_lambda(triggers: Triggers, idp: Any) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    arn = "arn:aws:lambda:eu-west-1:000000000000:function:unreachable"
    triggers.map_url(arn, f"http://127.0.0.1:{port}/x")
    code, message = _refused(idp, triggers.pool({"PreSignUp": arn}))
    assert code == "UnexpectedLambdaException"
    assert message.startswith("PreSignUp invocation failed due to error ")


def test_timeout_is_unexpected_lambda(triggers: Triggers, idp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.triggers import invoke

    monkeypatch.setattr(invoke, "TIMEOUT", 0.3)
    release = threading.Event()

    def stuck(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        release.wait(10)
        return event

    try:
        code, message = _refused(idp, triggers.pool({"PreSignUp": triggers.function(stuck)}))
    finally:
        release.set()
    assert (code, message) == ("UnexpectedLambdaException", "PreSignUp invocation failed due to error "
                                                            "Socket timeout while invoking Lambda function.")


@pytest.fixture
def no_endpoint(server: Any) -> Iterator[None]:
    state = server.state
    before = state.settings
    state.settings = dataclasses.replace(before, lambda_endpoint=None, lambda_urls={})
    yield
    state.settings = before


def test_no_endpoint_configured(triggers: Triggers, idp: Any, no_endpoint: None) -> None:
    arn = "arn:aws:lambda:eu-west-1:000000000000:function:somewhere"
    code, message = _refused(idp, triggers.pool({"PreSignUp": arn}))
    assert code == "UnexpectedLambdaException"
    assert message.startswith("PreSignUp invocation failed due to error ResourceNotFoundException: ")
    assert "--lambda-endpoint" in message


def test_in_process_callable_wins(triggers: Triggers, idp: Any, no_endpoint: None) -> None:
    """A Python callable registered for the ARN (the pytest plugin's register_trigger) runs in-process."""
    functions = pytest.importorskip("emulator.state.functions")
    arn = "arn:aws:lambda:eu-west-1:000000000000:function:in-process"
    seen: list[dict[str, Any]] = []

    def confirm(event: dict[str, Any]) -> dict[str, Any]:
        seen.append(event)
        event["response"]["autoConfirmUser"] = True
        return event

    functions.register(arn, confirm)
    try:
        assert _sign_up(idp, triggers.pool({"PreSignUp": arn}))["UserConfirmed"] is True
    finally:
        functions.unregister(arn)
    assert seen[0]["triggerSource"] == "PreSignUp_SignUp"


def test_in_process_callable_throw(triggers: Triggers, idp: Any, no_endpoint: None) -> None:
    functions = pytest.importorskip("emulator.state.functions")
    arn = "arn:aws:lambda:eu-west-1:000000000000:function:in-process-throw"

    def refuse(event: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("Invite only")

    functions.register(arn, refuse)
    try:
        assert _refused(idp, triggers.pool({"PreSignUp": arn})) == (
            "UserLambdaValidationException", "PreSignUp failed with error Invite only.")
    finally:
        functions.unregister(arn)


def test_pool_without_triggers_calls_nothing(triggers: Triggers, idp: Any, no_endpoint: None) -> None:
    """No LambdaConfig, no endpoint: nothing is attempted and sign-up works."""
    assert _sign_up(idp, triggers.pool({}))["UserConfirmed"] is False


def test_pytest_plugin_trigger_may_call_back(request: pytest.FixtureRequest) -> None:
    """``cogito.register_trigger``: the callable runs in-process, and can call the (in-memory) emulator back."""
    pytest.importorskip("emulator.pytest_plugin")
    try:
        cogito = request.getfixturevalue("cogito")
    except pytest.FixtureLookupError:  # pragma: no cover - the plugin is not installed
        pytest.skip("the cogito pytest plugin is not installed")
    idp = cogito.cognito_idp
    pool_id = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    idp.create_group(UserPoolId=pool_id, GroupName="members")

    def auto_confirm(event: dict[str, Any]) -> dict[str, Any]:
        event["response"]["autoConfirmUser"] = True
        return event

    def add_to_group(event: dict[str, Any]) -> dict[str, Any]:
        idp.admin_add_user_to_group(UserPoolId=event["userPoolId"], Username=event["userName"], GroupName="members")
        return event

    cogito.register_trigger(pool_id, "PreSignUp", auto_confirm)
    cogito.register_trigger(pool_id, "PostConfirmation", add_to_group)
    assert idp.sign_up(ClientId=client_id, Username="carol", Password=PASSWORD)["UserConfirmed"] is True
    groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username="carol")["Groups"]
    assert [g["GroupName"] for g in groups] == ["members"]


def test_settings_from_flags_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator import cli
    from emulator.settings import from_env

    arn = "arn:aws:lambda:us-east-1:000000000000:function:a"
    monkeypatch.setenv("COGITO_LAMBDA_ENDPOINT", "http://127.0.0.1:3001")
    monkeypatch.setenv("COGITO_LAMBDA_URLS", '{"%s": "http://127.0.0.1:7000/a"}' % arn)
    env = from_env()
    assert env.lambda_endpoint == "http://127.0.0.1:3001" and env.lambda_urls == {arn: "http://127.0.0.1:7000/a"}
    args = cli._parser().parse_args(["serve", "--lambda-endpoint", "http://localhost:4566",
                                     "--lambda-url", "b=http://127.0.0.1:7000/b"])
    settings = cli.settings_from_args(args)
    assert settings.lambda_endpoint == "http://localhost:4566"
    assert settings.lambda_urls == {arn: "http://127.0.0.1:7000/a", "b": "http://127.0.0.1:7000/b"}
    assert cli.check_settings(settings) is None
    bad = cli._parser().parse_args(["serve", "--lambda-url", "no-equals-sign"])
    with pytest.raises(ValueError):
        cli.settings_from_args(bad)
    monkeypatch.setenv("COGITO_LAMBDA_URLS", "[1, 2]")
    with pytest.raises(ValueError):
        from_env()
    monkeypatch.setenv("COGITO_LAMBDA_URLS", "")
    assert "must start with http" in (cli.check_settings(dataclasses.replace(env, lambda_endpoint="ftp://x")) or "")
