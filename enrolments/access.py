"""Who may open the staff pages that live outside the admin (exports, attendance, costs)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse


def has_staff_permission(user, permission: str) -> bool:
    """An active staff member with this permission (superusers have them all)."""
    return user.is_active and user.is_staff and user.has_perm(permission)


def staff_permission_required(permission: str):
    """Decorator: anonymous people are sent to log in; logged-in people without the
    permission get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if not has_staff_permission(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
