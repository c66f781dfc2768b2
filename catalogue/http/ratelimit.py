"""Per-client limits for public forms, shared by all server processes (Redis or database).

Applied where the URLs are wired (limit_urls, used by catalogue/urls.py), so the enrolment
views know nothing of them.

Why not django-ratelimit: a group form counts as the places it asks for (places_posted), a
refused POST takes back what it counted, and the counts are shared by every process without
Redis, in database counters that are incremented atomically (catalogue/http/counters.py).
django-ratelimit counts 1 per request and needs a shared cache whose incr is atomic; Django's
DatabaseCache incr is a read and a write, not atomic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import wraps

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import URLPattern, URLResolver
from django.utils.cache import add_never_cache_headers

from catalogue.http import counters


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

    Counted in Redis or the database (catalogue/http/counters.py), so the limit holds across all
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
                # Wrapped around the view (and its never_cache): no copy of a refusal is kept.
                add_never_cache_headers(response)
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


Counts = Callable[[HttpRequest], int] | None


def limit_urls(
    patterns: Iterable[URLPattern | URLResolver], limits: Mapping[str, tuple[str, Counts]]
) -> list[URLPattern | URLResolver]:
    """The patterns, with the view of each URL named in `limits` wrapped in
    ratelimit_post(scope, counts). The included module's own patterns stay as they are; a
    name that matches no pattern is an error, so a renamed URL cannot lose its limit."""
    wired, found = [], set()
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name in limits:
            scope, counts = limits[pattern.name]
            pattern = URLPattern(
                pattern.pattern,
                ratelimit_post(scope, counts)(pattern.callback),
                pattern.default_args,
                pattern.name,
            )
            found.add(pattern.name)
        wired.append(pattern)
    missing = set(limits) - found
    if missing:
        raise ValueError(f"No URL named {', '.join(sorted(missing))} to limit.")
    return wired
