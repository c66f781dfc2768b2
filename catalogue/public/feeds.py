"""Feeds: iCalendar for people's calendars, Atom for newly scheduled sessions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from catalogue.http.conditional import conditional
from catalogue.public.filters import CourseFilter
from trainings.calendars import calendar_bytes
from trainings.models import Course, Session

MAX_FEED_SESSIONS = 2000


def calendar_response(sessions, filename: str, name: str) -> HttpResponse:
    response = HttpResponse(
        calendar_bytes(sessions, name=name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
@conditional(upcoming=True)
def sessions_calendar(request: HttpRequest) -> HttpResponse:
    """Upcoming sessions, filtered like the catalogue (plus course=<slug>), to subscribe to."""
    filterset = CourseFilter(request.GET, queryset=Course.objects.published())
    courses = filterset.qs
    slug = request.GET.get("course", "")
    if slug:
        courses = courses.filter(slug=slug[:200])
    sessions = Session.objects.upcoming().filter(Exists(courses.filter(pk=OuterRef("course_id"))))
    session_q = filterset.session_q()
    if session_q is not None:
        sessions = sessions.filter(session_q)
    sessions = sessions.for_listing()[:MAX_FEED_SESSIONS]
    return calendar_response(sessions, "sessies.ics", _("Trainingscatalogus: sessies"))


@require_safe
@conditional(upcoming=False)
def session_calendar(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.public().for_listing(), pk=session_id)
    return calendar_response([session], f"sessie-{session.pk}.ics", session.course.title)


class NewSessionsFeed(Feed):
    """An Atom feed of the sessions scheduled most recently."""

    feed_type = Atom1Feed
    title = gettext_lazy("Trainingscatalogus: nieuw geplande sessies")
    subtitle = gettext_lazy("Sessies die net in de catalogus zijn gezet.")
    # RFC 4287 asks for an author of the feed (or of every entry): the catalogue itself.
    author_name = gettext_lazy("Trainingscatalogus")

    def author_link(self):
        return settings.SITE_URL + "/"

    def link(self):
        from django.urls import reverse

        return reverse("catalogue:course-list") + "?open=1&order=date"

    def items(self):
        return (
            Session.objects.public()
            .upcoming()
            .not_cancelled()
            .select_related("course", "location")
            .order_by("-created_at")[:50]
        )

    def item_title(self, session: Session) -> str:
        when = formats.date_format(timezone.localtime(session.starts_at), "j F Y")
        return f"{session.course.title} — {when}, {session.location.place}"

    def item_description(self, session: Session) -> str:
        return session.course.summary

    def item_link(self, session: Session) -> str:
        return f"{session.course.get_absolute_url()}#sessie-{session.pk}"

    def item_guid(self, session: Session) -> str:
        return f"{settings.SITE_URL}/sessies/{session.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, session: Session):
        return session.created_at

    def item_updateddate(self, session: Session):
        return session.updated_at
