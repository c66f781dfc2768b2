"""Per-client limits for public forms, shared by all server processes (Redis or database)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render

from catalogue import counters


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind DJANGO_NUM_PROXIES proxies, taken from X-Forwarded-For."""
    if settings.NUM_PROXIES:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= settings.NUM_PROXIES:
            return forwarded[-settings.NUM_PROXIES][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def hit(key: str, limit: int, window: int, amount: int = 1) -> bool:
    """Count `amount` attempts in the client's window; False once the limit is exceeded.

    Counted in Redis or the database (catalogue/counters.py), so the limit holds across all
    server processes, not per process."""
    key = f"ratelimit:{key}"
    if counters.add(key, amount, ttl=window) <= limit:
        return True
    # A refused request takes no places: a group too large for what is left of the limit
    # does not stop a smaller one that fits.
    counters.add(key, -amount, ttl=window)
    return False


def ratelimit_post(scope: str, counts: Callable[[HttpRequest], int] | None = None):
    """Refuse a client's POSTs to this view with 429 once they exceed the configured rate.

    `counts(request)` says how much a POST counts: the places it asks for (a group of
    colleagues), or 0 for a POST that takes none (a form asking for one more row).
    Without it every POST counts 1."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            amount = 0
            if request.method == "POST":
                amount = 1 if counts is None else int(counts(request))
            if amount > 0 and not hit(
                f"{scope}:{client_ip(request)}",
                settings.RATELIMIT_POSTS,
                settings.RATELIMIT_WINDOW,
                amount,
            ):
                response = render(request, "429.html", status=429)
                response["Retry-After"] = str(settings.RATELIMIT_WINDOW)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def places_posted(request: HttpRequest, *, prefix: str = "form", most: int = 16) -> int:
    """What a group form's POST counts: one per colleague row it enrols (at least 1, at most
    `most`), nothing for a POST that only adds or removes a row."""
    if request.POST.get("action", "enrol") != "enrol":
        return 0
    try:
        rows = int(request.POST.get(f"{prefix}-TOTAL_FORMS", ""))
    except ValueError:
        rows = 1
    # At least 1: a POST that enrols always costs something (and mails its sender), so
    # claiming 0 rows does not slip past the limit.
    return min(max(rows, 1), most)


# Reachable as `ratelimit_post.places_posted`, so a view module needs to import only the
# decorator.
ratelimit_post.places_posted = places_posted
