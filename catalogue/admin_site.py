"""The admin site: Django's, with a place for pages that are not a model's list."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.cache import cache
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from catalogue.ratelimit import client_ip


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
        """Django's login, locked for a while after repeated failures (brute force)."""
        if request.method != "POST":
            return super().login(request, extra_context)
        username = request.POST.get("username", "")[:150].strip().casefold()
        keys = (
            f"login-failures:{username}:{client_ip(request)}",
            f"login-failures::{client_ip(request)}",
        )
        limits = (settings.LOGIN_FAILURES_ALLOWED, settings.LOGIN_FAILURES_ALLOWED * 4)
        if any((cache.get(key) or 0) >= limit for key, limit in zip(keys, limits, strict=True)):
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
            cache.delete(keys[0])
        else:
            for key in keys:
                cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
                try:
                    cache.incr(key)
                except ValueError:
                    cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
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
