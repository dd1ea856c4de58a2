"""Values for the fuzzer: valid-looking ones built from a botocore shape, and bad ones.

Shapes are botocore's raw JSON model dicts (``{"type", "members", "required", "min",
"max", "pattern", "enum"}``). A member named like a resource the fuzzer created
(``UserPoolId``, ``AccessToken``, ``IdentityId``...) gets that resource, so a "valid"
request reaches the handler's real work instead of stopping at RNF.
"""

from __future__ import annotations

import base64
import random
from typing import Any

import regex

# Strings that defeat code paths: NUL, lone surrogates, bidi overrides, emoji, combining
# marks, zero-width and non-characters, case-folding oddities, scripts, control characters.
UNICODE = [
    "\x00", "a\x00b", "\ud800", "x\udfff", "\ud83d", "\u202eevil\u202c", "😀", "😀" * 64, "e\u0301",
    "\u200b", "\ufeff", "\uffff", "\U0010ffff", "ｆｕｌｌ", "İ", "ß", "\u0085", "\r\n", "مرحبا", "שלום",
    "用户", "\x7f", "\x1b[31m", "a\u0000" * 3, "\u2028", "Ω" * 3, "%00", "%s%s%n", "${jndi:x}", "' OR 1=1 --",
    "<script>alert(1)</script>", "../../etc/passwd", "\\", "\"", "{}", "null",
]
BAD_CHARS = [" ", "\n", "\t", "/", "\\", "'", '"', "<>", "%", "*", "\u00a0", "\x00", ":", "#", "=", "&", "😀"]
OTHER_TYPES: dict[str, list[Any]] = {
    "string": [1, 1.5, True, [], {}, ["a"], {"a": "b"}, 0],
    "integer": ["1", 1.5, True, [], {}, "abc", 1e300],
    "long": ["1", 2.5, False, [], {}],
    "boolean": ["true", 1, 0, [], {}, "yes"],
    "timestamp": ["yesterday", [], {}, True, "2020-13-45"],
    "blob": [1, [], {}, "not base64 !!", True],
    "list": ["a", 1, {}, True, {"member": ["a"]}],
    "map": ["a", 1, [], True, [["k", "v"]]],
    "structure": ["a", 1, [], True],
    "double": ["1.0", [], {}, True],
    "float": ["1.0", [], {}, True],
}
CANDIDATES = [
    "fuzz", "Fuzz1", "abc123", "a1", "fuzz@example.com", "arn:aws:iam::123456789012:role/fuzz",
    "https://example.com/cb", "http://localhost/cb", "+15555550100", "us-east-1_AbCdEf123",
    "us-east-1:11111111-2222-3333-4444-555555555555", "123456", "Passw0rd!x", "AQAB", "fuzz-domain",
    "email", "openid", "a", "1", "2020-01-01", "en-US", "fuzz.example.com", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "arn:aws:lambda:us-east-1:123456789012:function:fuzz", "arn:aws:sns:us-east-1:123456789012:fuzz",
    "arn:aws:kms:us-east-1:123456789012:key/fuzz", "123456789012", "#{x}", "{####}", "{username} {####}",
]


class Values:
    """Valid and invalid values for the shapes of one model."""

    def __init__(self, rng: random.Random, shapes: dict[str, Any], env: dict[str, Any]) -> None:
        self.rng, self.shapes, self.env = rng, shapes, env
        self._patterns: dict[str, Any] = {}

    # -- valid -------------------------------------------------------------------------

    def matches(self, shape: dict[str, Any], text: str) -> bool:
        lo, hi = shape.get("min", 0), shape.get("max", 10**9)
        if not lo <= len(text) <= hi:
            return False
        if "enum" in shape and text not in shape["enum"]:
            return False
        pattern = shape.get("pattern")
        if not pattern:
            return True
        if pattern not in self._patterns:
            try:
                self._patterns[pattern] = regex.compile(pattern)
            except regex.error:
                self._patterns[pattern] = None
        compiled = self._patterns[pattern]
        return compiled is None or compiled.fullmatch(text) is not None

    def string(self, shape: dict[str, Any], member: str | None) -> str:
        if member and member in self.env and isinstance(self.env[member], str):
            return self.env[member]
        if "enum" in shape:
            return self.rng.choice(shape["enum"])
        options = [c for c in CANDIDATES if self.matches(shape, c)]
        if options:
            return self.rng.choice(options)
        lo = max(1, shape.get("min", 1))
        return "a" * lo

    def valid(self, shape_name: str, member: str | None = None, depth: int = 0) -> Any:
        """A plausible value of ``shape_name`` (resources substituted by member name)."""
        if member and member in self.env and not isinstance(self.env[member], str):
            return self.env[member]
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "string":
            return self.string(shape, member)
        if kind in ("integer", "long"):
            lo, hi = int(shape.get("min", 0)), int(shape.get("max", 100))
            return self.rng.randint(lo, max(lo, min(hi, lo + 100)))
        if kind in ("float", "double"):
            return round(self.rng.uniform(shape.get("min", 0), min(shape.get("max", 100), 100)), 2)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "timestamp":
            return 1700000000
        if kind == "blob":
            return base64.b64encode(b"fuzz").decode()
        if kind == "list":
            count = max(shape.get("min", 0), 0 if depth > 3 else self.rng.randint(0, 2))
            return [self.valid(shape["member"]["shape"], None, depth + 1) for _ in range(min(count, 5))]
        if kind == "map":
            count = max(shape.get("min", 0), 0 if depth > 3 else self.rng.randint(0, 2))
            key_shape = self.shapes[shape["key"]["shape"]]
            return {self.string(key_shape, None) + ("" if i == 0 else str(i)): self.valid(shape["value"]["shape"], None,
                    depth + 1) for i in range(min(count, 3))}
        if kind == "structure":
            out: dict[str, Any] = {}
            required = set(shape.get("required", []))
            for name, ref in shape.get("members", {}).items():
                wanted = name in required or name in self.env or (depth < 3 and self.rng.random() < 0.3)
                if wanted:
                    out[name] = self.valid(ref["shape"], name, depth + 1)
            return out
        return None

    # -- invalid -------------------------------------------------------------------------

    def wrong_type(self, shape: dict[str, Any]) -> Any:
        return self.rng.choice(OTHER_TYPES.get(shape["type"], ["x", 1]))

    def out_of_range(self, shape: dict[str, Any]) -> Any:
        kind = shape["type"]
        rng = self.rng
        if kind == "string":
            lo, hi = shape.get("min", 0), shape.get("max")
            options = [""] + (["a" * (lo - 1)] if lo > 1 else [])
            if hi is not None and hi < 300_000:
                options.append("a" * (hi + 1))
            return rng.choice(options)
        if kind in ("integer", "long", "float", "double"):
            lo, hi = shape.get("min"), shape.get("max")
            options: list[Any] = [-1, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 10**30, -0.0, 0.5]
            if lo is not None:
                options.append(lo - 1)
            if hi is not None:
                options.append(hi + 1)
            return rng.choice(options)
        if kind in ("list", "map"):
            hi = shape.get("max")
            count = min((hi + 1) if hi is not None else 1001, 2000)
            if kind == "list":
                return [self.valid(shape["member"]["shape"], None, 4) for _ in range(count)]
            return {f"k{i}": self.valid(shape["value"]["shape"], None, 4) for i in range(count)}
        return self.wrong_type(shape)

    def pattern_violation(self, shape: dict[str, Any], current: Any) -> Any:
        base = current if isinstance(current, str) and current else "fuzz"
        bad = self.rng.choice(BAD_CHARS)
        spot = self.rng.randint(0, len(base))
        return base[:spot] + bad + base[spot:]

    def enum_violation(self, shape: dict[str, Any]) -> str:
        enum = shape.get("enum") or ["X"]
        return self.rng.choice(["FUZZ", enum[0].lower(), "", enum[0] + " ", enum[0] + "\x00", "*"])

    def unicode(self) -> str:
        return "".join(self.rng.choice(UNICODE) for _ in range(self.rng.randint(1, 3)))

    def huge(self) -> str:
        return self.rng.choice(["a" * 1_000_000, "😀" * 200_000, "\u202e" * 100_000, "ab\x00" * 50_000])

    def nested(self) -> Any:
        depth = self.rng.choice([20, 33, 100, 400])
        value: Any = "x"
        for _ in range(depth):
            value = [value] if self.rng.random() < 0.5 else {"a": value}
        return value
