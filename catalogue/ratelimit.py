"""Per-client limits for public forms, kept in the cache (shared through Redis if configured)."""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.shortcuts import render


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


def hit(key: str, limit: int, window: int) -> bool:
    """Count one attempt in the current window; False once the limit is exceeded."""
    bucket = f"ratelimit:{key}:{int(time.time()) // window}"
    cache.add(bucket, 0, timeout=window + 5)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window + 5)
        count = 1
    return count <= limit


def ratelimit_post(scope: str, counts=None):
    """Refuse a client's POSTs to this view with 429 once they exceed the configured rate.

    `counts(request)` can say that a POST does not count (a form asking for one more row)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            counted = request.method == "POST" and (counts is None or counts(request))
            if counted and not hit(
                f"{scope}:{client_ip(request)}",
                settings.RATELIMIT_POSTS,
                settings.RATELIMIT_WINDOW,
            ):
                response = render(request, "429.html", status=429)
                response["Retry-After"] = str(settings.RATELIMIT_WINDOW)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
