"""The fuzzer's requests: every operation of cognito-idp and cognito-identity (JSON 1.1),
STS (the Query protocol), the OAuth endpoints and Hosted UI forms, and raw bodies/headers.

``generate(rng, env, count)`` returns ``count`` cases drawn from a seeded ``random.Random``:
the same seed and resources give the same requests. Each JSON or Query case starts from a
valid-looking request for one operation (resources substituted by member name) and is
sent as is or with one mutation; the rest are raw bodies, wrong headers and web forms.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import quote, urlencode

from botocore.loaders import Loader

from fuzz_values import UNICODE, Values

TARGET_PREFIX = {"cognito-idp": "AWSCognitoIdentityProviderService", "cognito-identity": "AWSCognitoIdentityService"}
JSON_TYPE = "application/x-amz-json-1.1"
MUTATIONS = ("valid", "missing", "extra", "type", "range", "pattern", "enum", "unicode", "huge", "null", "nested")
WEIGHTS = (22, 10, 8, 12, 10, 8, 6, 12, 1, 6, 5)
# Web endpoints: (method, path, fields). JSON endpoints must answer JSON; pages may answer HTML.
WEB = [
    ("GET", "/oauth2/authorize", ["client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
                                  "code_challenge", "code_challenge_method", "identity_provider", "idp_identifier"]),
    ("POST", "/oauth2/token", ["grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "scope",
                               "client_id", "client_secret"]),
    ("GET", "/oauth2/userInfo", []), ("POST", "/oauth2/userInfo", []),
    ("POST", "/oauth2/revoke", ["token", "client_id", "client_secret"]),
    ("GET", "/login", ["client_id", "redirect_uri", "response_type", "scope", "state"]),
    ("POST", "/login", ["client_id", "redirect_uri", "response_type", "username", "password", "_csrf"]),
    ("POST", "/forceChangePassword", ["client_id", "redirect_uri", "session", "newPassword", "confirmPassword",
                                      "username", "_csrf"]),
    ("POST", "/mfa", ["client_id", "redirect_uri", "session", "code", "username", "_csrf"]),
    ("POST", "/mfa/setup", ["client_id", "redirect_uri", "session", "code", "factor", "secret", "_csrf"]),
    ("GET", "/signup", ["client_id", "redirect_uri", "response_type"]),
    ("POST", "/signup", ["client_id", "redirect_uri", "username", "password", "email", "_csrf"]),
    ("GET", "/confirm", ["client_id", "redirect_uri", "username"]),
    ("POST", "/confirm", ["client_id", "redirect_uri", "username", "code", "_csrf"]),
    ("POST", "/resendcode", ["client_id", "redirect_uri", "username", "_csrf"]),
    ("GET", "/confirmUser", ["client_id", "user_name", "confirmation_code", "redirect_uri"]),
    ("GET", "/forgotPassword", ["client_id", "redirect_uri"]),
    ("POST", "/forgotPassword", ["client_id", "redirect_uri", "username", "_csrf"]),
    ("POST", "/confirmForgotPassword", ["client_id", "redirect_uri", "username", "code", "password",
                                        "confirmPassword", "_csrf"]),
    ("GET", "/logout", ["client_id", "logout_uri", "redirect_uri", "response_type", "state"]),
    ("GET", "/error", ["error"]),
    ("GET", "/{pool}/.well-known/jwks.json", []), ("GET", "/{pool}/.well-known/openid-configuration", []),
    ("GET", "/_cogito/messages", ["pool_id", "username", "kind", "limit"]),
    ("GET", "/_cogito/credentials/{key}", []),
    ("GET", "/_cogito/identity/.well-known/jwks_uri", []),
    ("GET", "/_cogito/health", ["deep"]),
    ("GET", "/console/", []), ("GET", "/nowhere/{key}", []), ("DELETE", "/", []), ("PUT", "/oauth2/token", []),
    ("GET", "/console/pools/{pool}", []), ("GET", "/console/pools/{pool}/users", ["filter", "token", "limit"]),
    ("GET", "/console/pools/{pool}/users/{key}", ["notice", "error"]),
    ("GET", "/console/pools/{pool}/groups/{key}", []), ("GET", "/console/identity-pools/{key}", ["token"]),
    ("GET", "/console/outbox", ["pool", "username", "kind", "limit"]), ("GET", "/console/tokens", ["username"]),
    ("POST", "/console/tokens/inspect", ["tokens"]), ("POST", "/console/tokens/sign-in", ["client", "username",
                                                                                         "password"]),
    ("POST", "/console/tokens/revoke", ["tokens", "refresh_token", "client"]),
    ("POST", "/console/pools/{pool}/users", ["username", "email", "password"]),
    ("POST", "/console/pools/{pool}/users/{key}/actions/disable", []),
]
JSON_WEB = ("/oauth2/token", "/oauth2/userInfo", "/oauth2/revoke", "/_cogito/", "/nowhere")
PAGES = ("/console",)
AUTH_QUERY = ("client_id", "redirect_uri", "response_type", "scope", "state")


def answers_json(path: str) -> bool:
    """Endpoints that must answer JSON (the rest are pages or redirects)."""
    path = path.split("?")[0]
    return not path.startswith(PAGES) and (path == "/" or path.startswith(JSON_WEB) or "/.well-known/" in path)


@dataclass
class Case:
    kind: str
    target: str  # "cognito-idp:AdminCreateUser", "sts:AssumeRoleWithWebIdentity", "web:GET /login"
    surface: str  # json | query | web
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    expect_json: bool = True


class Models:
    """The three service models as botocore ships them (raw dicts)."""

    def __init__(self) -> None:
        loader = Loader()
        self.models = {name: loader.load_service_model(name, "service-2")
                       for name in ("cognito-idp", "cognito-identity", "sts")}

    def operations(self, service: str) -> list[str]:
        return sorted(self.models[service]["operations"])

    def input_shape(self, service: str, op: str) -> str | None:
        return (self.models[service]["operations"][op].get("input") or {}).get("shape")


def _paths(value: Any, shape_name: str, shapes: dict[str, Any], path: tuple[Any, ...] = ()) -> list[tuple]:
    """Every (path, shape) inside a value, for picking where to mutate."""
    found = [(path, shape_name)] if path else []
    shape = shapes[shape_name]
    if shape["type"] == "structure" and isinstance(value, dict):
        for name, ref in shape.get("members", {}).items():
            if name in value:
                found += _paths(value[name], ref["shape"], shapes, path + (name,))
            elif len(path) < 2:
                found.append((path + (name,), ref["shape"]))
    elif shape["type"] == "list" and isinstance(value, list):
        for i, item in enumerate(value[:3]):
            found += _paths(item, shape["member"]["shape"], shapes, path + (i,))
    elif shape["type"] == "map" and isinstance(value, dict):
        for key in list(value)[:3]:
            found += _paths(value[key], shape["value"]["shape"], shapes, path + (key,))
    return found


def _put(root: Any, path: tuple[Any, ...], value: Any, delete: bool = False) -> None:
    node = root
    for step in path[:-1]:
        node = node[step]
    if delete:
        if isinstance(node, dict):
            node.pop(path[-1], None)
        elif isinstance(node, list) and path[-1] < len(node):
            node.pop(path[-1])
    elif isinstance(node, list) and isinstance(path[-1], int) and path[-1] >= len(node):
        node.append(value)
    else:
        node[path[-1]] = value


def _get(root: Any, path: tuple[Any, ...]) -> Any:
    node = root
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    return node


class Generator:
    def __init__(self, rng: random.Random, env: dict[str, Any], models: Models | None = None,
                 rare: set[str] | frozenset[str] = frozenset()) -> None:
        self.rng, self.env = rng, env
        self.rare = rare  # targets ("service:Op") answered 501 before: drawn a tenth as often
        self.models = models or Models()
        self.values = {svc: Values(rng, m["shapes"], env) for svc, m in self.models.models.items()}
        self.ops = [(svc, op) for svc in ("cognito-idp", "cognito-identity", "sts") for op in self.models.operations(svc)]

    # -- params ---------------------------------------------------------------------------

    def params(self, service: str, op: str) -> tuple[dict[str, Any], str | None]:
        shape = self.models.input_shape(service, op)
        params = self.values[service].valid(shape) if shape else {}
        params.update(self.special(service, op))
        return params, shape

    def special(self, service: str, op: str) -> dict[str, Any]:
        """Members a generic value cannot make useful (auth parameters, logins)."""
        env = self.env
        if op in ("InitiateAuth", "AdminInitiateAuth"):
            flow = self.rng.choice(["USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH", "USER_SRP_AUTH", "CUSTOM_AUTH",
                                    "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH"])
            auth = {"USERNAME": env["Username"], "PASSWORD": env["Password"], "REFRESH_TOKEN": env["RefreshToken"],
                    "SRP_A": "ab" * 128}
            return {"AuthFlow": flow, "AuthParameters": auth}
        if op in ("RespondToAuthChallenge", "AdminRespondToAuthChallenge"):
            return {"ChallengeResponses": {"USERNAME": env["Username"], "NEW_PASSWORD": env["Password"],
                                           "ANSWER": "x", "SOFTWARE_TOKEN_MFA_CODE": "123456"}}
        if service == "cognito-identity" and op in ("GetId", "GetCredentialsForIdentity", "GetOpenIdToken"):
            return {"Logins": {env["LoginKey"]: env["IdToken"]}}
        if op == "AssumeRoleWithWebIdentity":
            return {"WebIdentityToken": self.rng.choice([env["IdToken"], env["AccessToken"], "a.b.c"])}
        return {}

    def mutate(self, service: str, shape: str | None, params: dict[str, Any], kind: str) -> dict[str, Any]:
        values = self.values[service]
        shapes = self.models.models[service]["shapes"]
        if kind == "valid" or shape is None:
            if shape is None and kind != "valid":
                params["Fuzz"] = values.unicode()
            return params
        if kind == "extra":
            target = self.rng.choice([p for p, _ in _paths(params, shape, shapes)
                                      if isinstance(_get(params, p), dict)] or [()])
            node = _get(params, target) if target else params
            node[self.rng.choice(["Fuzz", "__proto__", "constructor", "", "\x00", "ünï"])] = values.unicode()
            return params
        if kind == "missing":
            required = shapes[shape].get("required", [])
            for name in (required if self.rng.random() < 0.3 else self.rng.sample(required, min(1, len(required)))):
                params.pop(name, None)
            return params
        paths = _paths(params, shape, shapes)
        if not paths:
            return params
        path, member_shape_name = self.rng.choice(paths)
        member = shapes[member_shape_name]
        current = _get(params, path)
        new: Any
        if kind == "type":
            new = values.wrong_type(member)
        elif kind == "range":
            new = values.out_of_range(member)
        elif kind == "pattern":
            new = values.pattern_violation(member, current)
        elif kind == "enum":
            new = values.enum_violation(member)
        elif kind == "unicode":
            new = values.unicode()
            if isinstance(current, str) and self.rng.random() < 0.3:
                new = current + new
        elif kind == "huge":
            new = values.huge()
        elif kind == "null":
            new = None
        else:
            new = values.nested()
        _put(params, path, new)
        return params

    # -- cases ---------------------------------------------------------------------------

    def json_case(self, service: str, op: str, kind: str) -> Case:
        params, shape = self.params(service, op)
        params = self.mutate(service, shape, params, kind)
        encoding = self.rng.random()
        if encoding < 0.85:
            body = json.dumps(params).encode()  # lone surrogates and NUL as \\u escapes
        else:  # raw UTF-8, lone surrogates as CESU bytes (invalid UTF-8)
            body = json.dumps(params, ensure_ascii=False).encode("utf-8", "surrogatepass")
        headers = {"Content-Type": JSON_TYPE, "X-Amz-Target": f"{TARGET_PREFIX[service]}.{op}"}
        return Case(kind, f"{service}:{op}", "json", "POST", "/", headers, body)

    def query_case(self, op: str, kind: str) -> Case:
        params, shape = self.params("sts", op)
        params = self.mutate("sts", shape, params, kind)
        pairs = [("Action", op), ("Version", "2011-06-15")] + list(_flatten(params))
        body = "&".join(f"{_q(str(k))}={_q(_form_value(v))}" for k, v in pairs)
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        return Case(kind, f"sts:{op}", "query", "POST", "/", headers, body.encode(), expect_json=False)

    def raw_case(self) -> Case:
        rng = self.rng
        service, op = rng.choice([o for o in self.ops if o[0] != "sts"])
        target = f"{TARGET_PREFIX[service]}.{op}"
        bodies: list[bytes] = [
            b"", b"not json", b"\xff\xfe\x00", b"[1,2]", b"123", b'"str"', b"{", b"{'a':1}", b"NaN", b'{"a":NaN}',
            b'{"a":Infinity}', b'{"UserPoolId":"x","UserPoolId":"y"}', b"\xef\xbb\xbf{}", b"\x1f\x8b\x08\x00",
            b"<xml/>", b"{" * 100_000, b"[" * 5000 + b"]" * 5000, b'{"a":"\\ud800"}', b'{"a":"\\u0000"}',
            b'{"MaxResults":1e999}', b"null", b"true", b'{"a":1}' * 3, "{\"PoolName\":\"\u00e9\"}".encode("latin-1"),
        ]
        header_sets: list[dict[str, str]] = [
            {"Content-Type": JSON_TYPE},  # no target
            {"Content-Type": JSON_TYPE, "X-Amz-Target": "Nope.ListUserPools"},
            {"Content-Type": JSON_TYPE, "X-Amz-Target": f"{TARGET_PREFIX[service]}."},
            {"Content-Type": JSON_TYPE, "X-Amz-Target": target.lower()},
            {"Content-Type": JSON_TYPE, "X-Amz-Target": f"{TARGET_PREFIX[service]}.{op}Fuzz"},
            {"Content-Type": JSON_TYPE, "X-Amz-Target": "AWSCognitoIdentityService.AdminCreateUser"},
            {"X-Amz-Target": target},  # no content type
            {"Content-Type": "text/plain", "X-Amz-Target": target},
            {"Content-Type": "application/x-www-form-urlencoded", "X-Amz-Target": target},
            {"Content-Type": "multipart/form-data; boundary=x", "X-Amz-Target": target},
            {"Content-Type": JSON_TYPE + "; charset=latin-1", "X-Amz-Target": target},
            {"Content-Type": JSON_TYPE, "X-Amz-Target": target, "Content-Encoding": "gzip"},
            {"Content-Type": JSON_TYPE, "X-Amz-Target": target + "\u00e9"},
            {"Content-Type": JSON_TYPE, "X-Amz-Target": target, "Authorization": "AWS4-HMAC-SHA256 Credential=a/b/\u00ff"},
            {"Content-Type": JSON_TYPE, "X-Amz-Target": "x" * 8000},
        ]
        headers = rng.choice(header_sets)
        body = rng.choice(bodies) if rng.random() < 0.6 else json.dumps(self.params(service, op)[0]).encode()
        if rng.random() < 0.1:  # a valid target with a raw body
            headers = {"Content-Type": JSON_TYPE, "X-Amz-Target": target}
        method = rng.choice(["POST"] * 9 + ["PUT", "GET"])
        return Case("raw", f"{service}:{op}", "json", method, "/", dict(headers), body)

    def raw_query_case(self) -> Case:
        rng = self.rng
        forms = [
            "", "Action=", "Action=Nope", "Action=AssumeRoleWithWebIdentity", "Action=GetCallerIdentity&Version=1999",
            "Action=AssumeRoleWithWebIdentity&RoleArn=%zz&WebIdentityToken=%ff%fe",
            "Action=AssumeRoleWithWebIdentity&PolicyArns.member.0.arn=x&PolicyArns.member.99999.arn=y",
            "Action=AssumeRoleWithWebIdentity&PolicyArns.member.1=x&DurationSeconds=1e9&RoleSessionName=%00",
            "Action=AssumeRoleWithWebIdentity&Tags.member.1.Key=a&DurationSeconds=-1&RoleArn=" + "a" * 5000,
            "Action=GetCallerIdentity&Action=AssumeRole", "Action=%ED%A0%80", "Action=GetCallerIdentity&&&=&==",
            "Action=AssumeRoleWithWebIdentity&WebIdentityToken=" + quote(self.env["IdToken"]) + "&RoleArn="
            + quote("arn:aws:iam::123456789012:role/fuzz") + "&RoleSessionName=" + _q(rng.choice(UNICODE)),
        ]
        headers = rng.choice([{"Content-Type": "application/x-www-form-urlencoded"}, {},
                              {"Content-Type": "application/x-www-form-urlencoded; charset=latin-1"},
                              {"Content-Type": "text/plain"}])
        method = rng.choice(["POST"] * 5 + ["GET"])
        form = rng.choice(forms)
        path = "/?" + form if method == "GET" else "/"
        return Case("raw", "sts:raw", "query", method, path, headers, b"" if method == "GET" else form.encode(),
                    expect_json=False)

    def web_case(self) -> Case:
        rng = self.rng
        method, path, fields = rng.choice(WEB)
        path = path.replace("{pool}", _q(rng.choice([self.env["UserPoolId"], "x", rng.choice(UNICODE)])))
        path = path.replace("{key}", _q(rng.choice(["ASIAFUZZ", self.env["Username"], self.env["IdentityPoolId"],
                                                     "\x00", rng.choice(UNICODE)])))
        form = {name: self.web_value(name) for name in fields if rng.random() < 0.8}
        headers: dict[str, str] = {}
        if rng.random() < 0.5:
            headers["Authorization"] = rng.choice([
                f"Bearer {self.env['AccessToken']}", f"Bearer {self.env['IdToken']}", "Bearer a.b.c", "Bearer",
                "Basic !!!notbase64", "Basic " + _b64("id:" + "\u00e9"), "Basic " + _b64("\x00:\x00"),
                f"Basic {_b64(self.env['WebClientId'] + ':wrong')}", "Digest x", "Bearer " + "a" * 7000])
        cookie_value = rng.choice(["a" * 20, "é" * 20, "\x00" * 20, "short"])
        if rng.random() < 0.5:
            headers["Cookie"] = f"XSRF-TOKEN={_q(cookie_value)}; cognito={_q(rng.choice(['x', 'é', '']))}"
            if rng.random() < 0.5:
                form["_csrf"] = rng.choice([cookie_value, "a" * 20 + "é", "é" * 20])
        query = {k: form.pop(k) for k in list(form) if k in AUTH_QUERY and method == "POST" and rng.random() < 0.7}
        if query:  # the Hosted UI's forms post to URLs that carry the authorize request
            path += "?" + urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in query.items()})
        encoded = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in form.items()})
        if method == "GET" or rng.random() < 0.2:
            path, body = path + ("&" if "?" in path else "?") + encoded, b""
        else:
            headers["Content-Type"] = rng.choice(["application/x-www-form-urlencoded"] * 4 + ["application/json"])
            body = encoded.encode()
        return Case("web", f"web:{method} {path.split('?')[0][:60]}", "web", method, path, headers, body,
                    answers_json(path))

    def web_value(self, name: str) -> str:
        rng, env = self.rng, self.env
        good = {"client_id": env["WebClientId"], "redirect_uri": "http://localhost/cb", "response_type": "code",
                "scope": "openid email", "grant_type": rng.choice(["authorization_code", "refresh_token",
                                                                  "client_credentials", "password"]),
                "refresh_token": env["RefreshToken"], "token": env["RefreshToken"], "username": env["Username"],
                "password": env["Password"], "code_challenge_method": "S256", "user_name": env["Username"],
                "pool_id": env["UserPoolId"], "limit": rng.choice(["1", "abc", "-5", "99999999999999999999"]),
                "tokens": rng.choice([env["AccessToken"], env["IdToken"], env["RefreshToken"], "a.b.c"]),
                "client": env["ClientId"], "pool": env["UserPoolId"], "filter": rng.choice(['email ^= "f"', 'x', '"'])}
        choice = rng.random()
        if choice < 0.5 and name in good:
            return good[name]
        if choice < 0.75:
            return rng.choice(UNICODE) * rng.randint(1, 3)
        if choice < 0.8:
            return "a" * rng.choice([1000, 9000, 100_000])
        return rng.choice(["", "x", "http://evil.example/cb", "S256", "plain", "token", "code id_token", "%00"])

    def generate(self, count: int) -> list[Case]:
        """``count`` cases: a pass over every operation first (valid), then random draws."""
        cases: list[Case] = []
        for service, op in self.ops:
            if len(cases) >= count:
                break
            cases.append(self.query_case(op, "valid") if service == "sts" else self.json_case(service, op, "valid"))
        makers: list[tuple[float, Callable[[], Case]]] = [(0.70, self._random_op), (0.78, self.raw_case),
                                                          (0.83, self.raw_query_case), (1.0, self.web_case)]
        while len(cases) < count:
            roll = self.rng.random()
            cases.append(next(make for bound, make in makers if roll < bound)())
        return cases

    def _random_op(self) -> Case:
        service, op = self.rng.choice(self.ops)
        while f"{service}:{op}" in self.rare and self.rng.random() < 0.9:
            service, op = self.rng.choice(self.ops)
        kind = self.rng.choices(MUTATIONS, WEIGHTS)[0]
        return self.query_case(op, kind) if service == "sts" else self.json_case(service, op, kind)


def _q(text: str) -> str:
    """Percent-encoded UTF-8, lone surrogates kept as their (invalid) bytes."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _flatten(value: Any, prefix: str = "") -> Any:
    """Query-protocol keys: ``A.B``, ``A.member.N``, ``A.entry.N.key``."""
    if isinstance(value, dict) and not prefix:
        for key, item in value.items():
            yield from _flatten(item, str(key))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value, 1):
            yield from _flatten(item, f"{prefix}.member.{i}")
    else:
        yield prefix, value
