from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from catalogue.http.ratelimit import limit_urls, places_posted
from enrolments import urls as enrolment_urls

# The public forms that write, with the scope their POSTs count in (catalogue/http/ratelimit.py).
ENROLMENT_LIMITS = {
    "enrol": ("enrol", None),
    # A group form counts the colleagues it enrols; adding a row counts nothing.
    "group-enrol": ("enrol", places_posted),
    "group-confirm": ("self-service", None),
    "self-service": ("self-service", None),
    "interest": ("interest", None),
    "request": ("request", None),
}

urlpatterns = [
    path("", include("catalogue.public.urls")),
    path(
        "",
        include(
            (
                limit_urls(enrolment_urls.urlpatterns, ENROLMENT_LIMITS),
                enrolment_urls.app_name,
            )
        ),
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
