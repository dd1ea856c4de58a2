"""JSON errors of the token, revoke and userInfo endpoints (RFC 6749 §5.2, RFC 6750 §3)."""

from __future__ import annotations

import json
import logging

from flask import Response

log = logging.getLogger("cogito.oauth")


class OAuthError(Exception):
    """``{"error": ...}`` with its status; ``basic`` marks a failed Basic client authentication
    (401 with ``WWW-Authenticate``, RFC 6749 §5.2)."""

    def __init__(self, error: str, why: str = "", *, status: int = 400, basic: bool = False) -> None:
        super().__init__(f"{error}: {why}" if why else error)
        self.error = error
        self.why = why
        self.status = 401 if basic and error == "invalid_client" else status
        self.basic = basic

    def response(self) -> Response:
        """Cognito answers the bare error code; the reason goes to the log only."""
        log.info("oauth error %s: %s", self.error, self.why)
        resp = Response(json.dumps({"error": self.error}), status=self.status,
                        content_type="application/json;charset=UTF-8")
        if self.status == 401 and self.basic:
            resp.headers["WWW-Authenticate"] = 'Basic realm="cognito"'
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["Pragma"] = "no-cache"
        return resp


def json_response(body: dict[str, object], status: int = 200) -> Response:
    resp = Response(json.dumps(body), status=status, content_type="application/json;charset=UTF-8")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Pragma"] = "no-cache"
    return resp
