"""The admin site: Django's, with a place for pages that are not a model's list."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from catalogue.http import counters
from catalogue.http.ratelimit import client_ip


@dataclass(frozen=True)
class ExtraView:
    route: str
    view: object
    name: str
    title: str
    description: str
    permission: str


class CatalogueAdminSite(admin.AdminSite):
    site_header = _("Trainingscatalogus — beheer")
    site_title = _("Trainingscatalogus")
    index_title = _("Beheer van trainingen, sessies en inschrijvingen")
    enable_nav_sidebar = False  # gives changelists the full width on laptops

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_views: list[ExtraView] = []

    def register_view(self, route, view, *, name, title, description, permission):
        """Add a page (e.g. the advisers' workplace) to the admin and to its index."""
        self.extra_views.append(ExtraView(route, view, name, title, description, permission))

    def get_urls(self):
        extra = [
            path(item.route, self.admin_view(item.view), name=item.name)
            for item in self.extra_views
        ]
        return extra + super().get_urls()

    def login(self, request, extra_context=None):
        """Django's login, locked for a while after repeated failures (brute force).

        Failures count per user name AND address (django-axes' combination): a stranger
        who guesses at an adviser's name locks only themselves out, the adviser still logs
        in from their own address, and colleagues behind the stranger's address are not
        affected. Counted in the database or Redis, so every server process agrees."""
        if request.method != "POST":
            return super().login(request, extra_context)
        username = request.POST.get("username", "")[:150].strip().casefold()
        key = f"login-failures:{username}:{client_ip(request)}"
        if counters.get(key) >= settings.LOGIN_FAILURES_ALLOWED:
            response = render(
                request,
                "admin/locked_out.html",
                {**self.each_context(request), "minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
                status=429,
            )
            response["Retry-After"] = str(settings.LOGIN_LOCKOUT_SECONDS)
            return response
        response = super().login(request, extra_context)
        if request.user.is_authenticated:
            counters.reset(key)
        else:
            counters.add(key, 1, ttl=settings.LOGIN_LOCKOUT_SECONDS)
        return response

    def each_context(self, request):
        context = super().each_context(request)
        context["extra_views"] = [
            {
                "title": item.title,
                "description": item.description,
                "url": reverse(f"{self.name}:{item.name}"),
            }
            for item in self.extra_views
            if request.user.is_active and request.user.has_perm(item.permission)
        ]
        return context


class CatalogueAdminConfig(AdminConfig):
    """Django's admin app, with CatalogueAdminSite as admin.site."""

    default_site = "catalogue.admin_site.CatalogueAdminSite"
