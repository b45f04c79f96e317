"""How a receiver knows a body came from this store: an HMAC-SHA256 of the raw body with the
webhook's secret, in `X-MlopsLab-Signature: sha256=<hex>` (GitHub's scheme).

A receiver checks it with `hmac.compare_digest(signature(body, secret), header)`."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-MlopsLab-Signature"
EVENT_HEADER = "X-MlopsLab-Event"


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def headers(body: bytes, event: str, secret: str | None) -> dict[str, str]:
    found = {"Content-Type": "application/json", EVENT_HEADER: event,
             "User-Agent": "mlops-lab-webhooks"}
    if secret:
        found[SIGNATURE_HEADER] = signature(body, secret)
    return found
