"""The project's URLconf plus one trivial view, for the in-process page timing only.

bench/page_timing.py sets ROOT_URLCONF to this module: `/bench/bare/` answers "ok" through
the whole middleware stack without touching the database or a template, so it is the floor
every page is compared with (the health check runs two queries, so it is not).
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from catalogue.urls import urlpatterns as project_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *project_urlpatterns]
