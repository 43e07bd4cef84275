"""Security headers on every response, and stricter ones on pages whose URL carries a secret."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

# Where forms may send the browser: Joren itself, and Stripe's hosted pages (Checkout, the
# customer portal, Connect onboarding), which the payment and billing forms redirect to.
STRIPE_HOSTED_PAGES = "https://*.stripe.com"

# Pages that carry a secret somewhere other than a ``<token>`` path segment.
BEARER_QUERY_ENDPOINTS = {
    "community.checkout.paid",  # ?session_id= shows a guest's registration to whoever holds it
}

HSTS = "max-age=63072000; includeSubDomains"


def content_security_policy(stripe_api_base: str | None = None) -> str:
    """The policy for every page: scripts and style sheets only from Joren's own static files.

    No inline script runs anywhere. ``style=""`` attributes stay allowed (progress bars and
    charts set widths with them); ``<style>`` elements do not.
    """
    form_targets = ["'self'", STRIPE_HOSTED_PAGES]
    if stripe_api_base:  # a stripe-mock or the tests' fake serves the hosted pages itself
        parts = urlsplit(stripe_api_base)
        if parts.scheme and parts.netloc:
            form_targets.append(f"{parts.scheme}://{parts.netloc}")
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "style-src-attr": "'unsafe-inline'",
        "img-src": "'self' data:",  # Bootstrap draws form controls with data: SVGs
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": " ".join(form_targets),
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def allow_embedding(response: Response) -> Response:
    """Let any site frame this one response (a community's embeddable calendar): its policy
    says ``frame-ancestors *`` and no X-Frame-Options is sent. Every other page stays
    unframeable."""
    policy = current_app.config["CONTENT_SECURITY_POLICY"]
    response.headers["Content-Security-Policy"] = policy.replace(
        "frame-ancestors 'none'", "frame-ancestors *")
    return response


def carries_secret(endpoint: str | None, view_args: dict | None) -> bool:
    """Whether the page's URL holds a bearer secret (a signed token, a Checkout Session id)."""
    return bool(view_args and "token" in view_args) or endpoint in BEARER_QUERY_ENDPOINTS


def apply_security_headers(response: Response) -> Response:
    headers = response.headers
    # The names already set, read once (each ``setdefault`` would search the headers again).
    present = {name.lower() for name, _value in headers.items()}

    def default(name: str, value: str) -> None:
        if name.lower() not in present:
            headers.add(name, value)
            present.add(name.lower())

    default("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
        default("X-Frame-Options", "DENY")
    default("X-Content-Type-Options", "nosniff")
    default("Referrer-Policy", "strict-origin-when-cross-origin")
    default("Cross-Origin-Opener-Policy", "same-origin")
    default("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=()")
    if current_app.config["JOREN_ENV"] == "production":
        default("Strict-Transport-Security", HSTS)
    if carries_secret(request.endpoint, request.view_args):
        headers["Referrer-Policy"] = "no-referrer"
        if "no-store" not in headers.get("Cache-Control", ""):
            headers["Cache-Control"] = "no-store"
        default("X-Robots-Tag", "noindex")
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("CONTENT_SECURITY_POLICY",
                          content_security_policy(app.config.get("STRIPE_API_BASE")))
    app.after_request(apply_security_headers)
