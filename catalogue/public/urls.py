from django.contrib.sitemaps.views import sitemap
from django.urls import path

from catalogue.http.conditional import conditional
from catalogue.public import feeds, views
from catalogue.public.sitemaps import SITEMAPS

app_name = "catalogue"

# The pages a visitor reads, once per language: the root URLconf puts them in i18n_patterns,
# Dutch without a prefix (/trainingen/), French and English under /fr/ and /en/ (README,
# "Languages and URLs").
urlpatterns = [
    path("", views.home, name="home"),
    path("trainingen/", views.course_list, name="course-list"),
    path("trainingen/<slug:slug>/", views.course_detail, name="course-detail"),
    path("leerlijnen/", views.path_list, name="path-list"),
    path("leerlijnen/<slug:slug>/", views.path_detail, name="path-detail"),
    path("profielen/", views.profile_list, name="profile-list"),
    path("profielen/<slug:slug>/", views.profile_detail, name="profile-detail"),
    path("privacy/", views.privacy, name="privacy"),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("sessies.ics", feeds.sessions_calendar, name="calendar"),
    path("sessies/<int:session_id>.ics", feeds.session_calendar, name="session-calendar"),
    path(
        "sessies/nieuw.atom",
        conditional(upcoming=True)(feeds.NewSessionsFeed()),
        name="new-sessions-feed",
    ),
]

# One address for every language, namespace "site": the switcher (old links included), the
# sitemap (it lists every language version itself), robots.txt and the health check.
site_patterns = [
    path("taal/<str:code>/", views.switch_language, name="language"),
    path(
        "sitemap.xml",
        conditional(upcoming=False)(sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
]
