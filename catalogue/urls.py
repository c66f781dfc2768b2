from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from catalogue.http.ratelimit import limit_urls, places_posted
from catalogue.public import urls as public_urls
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
    # The same address in every language: the switcher, sitemap, robots.txt, health check.
    path("", include((public_urls.site_patterns, "site"))),
    # Every page a visitor reads or fills in, per language: Dutch unprefixed, French under /fr/,
    # English under /en/, so a link (in a French mail, say) opens the page in its language.
    *i18n_patterns(
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
        prefix_default_language=False,
    ),
    # Unprefixed, so Dutch: the admin is the advisers' Dutch workplace.
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
