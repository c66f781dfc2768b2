"""The public reading side: home, catalogue, course and learning-path pages, health check."""

import datetime
import functools
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from catalogue.http.cache import CATALOGUE, PLACES, cached_page, course_version_key
from catalogue.http.conditional import Clock, conditional_page, database_version
from catalogue.languages import url_in_language
from catalogue.public import facet_index, fragments
from catalogue.public.cards import cards_for, render_card
from catalogue.public.filters import FACET_NAMES, CourseFilter
from catalogue.public.sidebar import facets_html
from catalogue.public.structured_data import catalogue_data, course_data
from enrolments.mail.outbox import oldest_unsent_age
from trainings.localised import LocalisedOrder, translated_columns
from trainings.models import (
    Course,
    LearningPath,
    LearningPathStep,
    Price,
    Profile,
    ProgrammePart,
    Resource,
    Session,
    SessionDay,
    Theme,
)
from trainings.precompiled import Precompiled, set_prefetched
from trainings.querysets import attach_labels
from trainings.search import other_candidates, search_other

PAGE_SIZE = 20
IGNORED_WHEN_UNKNOWN = {"theme", "format", "audience", "provider"}
HOME_SESSIONS = 6


@require_safe
@conditional_page(lambda **kwargs: [PLACES], clock=Clock.REGISTRATION)
@cached_page(lambda **kwargs: [PLACES])
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    local = fragments.local_version()  # before the query that reads the places
    version, live = fragments.home_live(now, HOME_SESSIONS)
    return _from_skeleton(
        request,
        fragments.skeleton_key(request, "home", (local, version), live),
        lambda: home_skeleton(request, live, (local, version)),
        live,
        now,
    )


def _from_skeleton(request, key, build, live, now) -> HttpResponse:
    """The page from its skeleton, kept for anonymous visitors (fragments.py), with the
    places filled in from `live`."""
    anonymous = not request.user.is_authenticated
    skeleton = fragments.skeletons.get(key) if anonymous else None
    if skeleton is None:
        skeleton = build()
        if anonymous:
            fragments.skeletons.set(key, skeleton)
    return HttpResponse(skeleton.fill(live, now))


_theme_counts = fragments._Store(8, size=lambda themes: 1)


def themes_with_counts(versions) -> list[Theme]:
    """Themes with their number of published courses, counted once per catalogue version (and
    language: their order is the language's)."""
    key = (versions, translation.get_language())
    themes = _theme_counts.get(key)
    if themes is None:
        themes = list(
            Theme.objects.annotate(
                course_count=Count("courses", filter=Q(courses__is_published=True))
            ).filter(course_count__gt=0)
        )
        _theme_counts.set(key, themes)
    return themes


def _listed_related(with_course: bool) -> list[str]:
    return ["session__location", *(["session__course"] if with_course else [])]


def _listed_days(ids, *, with_course: bool):
    days = (
        SessionDay.objects.filter(session_id__in=ids)
        .select_related(*_listed_related(with_course))
        .order_by("date")
    )
    if with_course:
        days = days.defer(*(f"session__course__{column}" for column in WIDE_COURSE_COLUMNS))
    return days


# The days of the sessions a page lists, compiled to SQL once per number of sessions.
LISTED_DAYS = Precompiled(lambda ids: _listed_days(ids, with_course=False))
LISTED_DAYS_WITH_COURSE = Precompiled(lambda ids: _listed_days(ids, with_course=True))


def listed_sessions(live: list[fragments.Live], *, with_course: bool) -> list[Session]:
    """The sessions of `live`, in its order, with location, days (and course): one query.

    Status and registered count come from `live`, the query the skeleton's key was made of."""
    if not live:
        return []
    related = _listed_related(with_course)
    query = LISTED_DAYS_WITH_COURSE if with_course else LISTED_DAYS
    days = query.all(ids=tuple(session.pk for session in live))
    found: dict[int, tuple[Session, list[SessionDay]]] = {}
    for day in days:
        session, its_days = found.setdefault(day.session_id, (day.session, []))
        day.session = session
        its_days.append(day)
    missing = [row.pk for row in live if row.pk not in found]
    if missing:  # a session whose days were all removed by a bulk write: shown without days
        for session in Session.objects.filter(pk__in=missing).select_related(
            *(name.removeprefix("session__") for name in related)
        ):
            found[session.pk] = (session, [])
    sessions = []
    for row in live:
        session, its_days = found[row.pk]
        set_prefetched(session, "days", its_days)
        session.status, session.registered_count = row.status, row.registered_count
        session.capacity, session.min_participants = row.capacity, row.min_participants
        sessions.append(session)
    return sessions


def home_skeleton(request, live, versions) -> fragments.Skeleton:
    holes = fragments.Holes()
    paths = LearningPath.objects.filter(is_published=True).only("title", "slug", "summary")
    profiles = Profile.objects.only("name", "slug", "summary")
    html = render_to_string(
        "catalogue/home.html",
        {
            "themes": themes_with_counts(versions),
            "next_sessions": listed_sessions(live, with_course=True),
            "paths": paths,
            "profiles": profiles,
            "fragment_holes": holes,
        },
        request,
    )
    return holes.skeleton(html)


@require_safe
@conditional_page(clock=Clock.REGISTRATION)
@cached_page()
def course_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    filterset = CourseFilter(request.GET, queryset=Course.objects.published(), now=now)
    query = filterset.search_query
    # The catalogue version as the page's validators read it (one query fewer), if they did.
    index = facet_index.current(now, shared=database_version(request, CATALOGUE))
    if index is not None:
        # Filters, counts and order from the process's facet index; a search asks the
        # database for the matching ids and their rank only.
        ranked = index.search(filterset.search_key(), filterset.search_ranks) if query else None
        hits = None if ranked is None else index.hits_mask(ranked)
        results = IndexedResults(
            index, index.selection(filterset, hits), filterset.ordering, ranked
        )
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        cards = cards_for(list(page.object_list), index)
        sidebar = index.sidebar(
            filterset.selection_key(),
            lambda: render_sidebar(index.facets(filterset, hits)),
        )
    else:
        courses = filterset.ordered(filterset.qs.for_listing(now))
        page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
        cards = [render_card(course) for course in attach_labels(page.object_list)]
        sidebar = render_sidebar(filterset.facets())
    if any(card.untranslated for card in cards):
        request.shows_untranslated = True  # the page says once that some text is in Dutch
    chips = active_filters(request, filterset, sidebar.labels)
    # Learning paths, profiles and resources that match, on the first page of a search.
    others = []
    if query and page.number == 1:
        candidates = index.other_candidates(other_candidates) if index is not None else None
        others = search_other(query, candidates=candidates)
    suggestion = filterset.suggestion() if page.paginator.count == 0 and not others else None
    suggestion_url = None
    if suggestion:
        params = request.GET.copy()
        params["q"] = suggestion
        params.pop("page", None)
        suggestion_url = "?" + params.urlencode()
    canonical_path, noindex = canonical(request, chips, page.number)
    return render(
        request,
        "catalogue/course_list.html",
        {
            "canonical_path": canonical_path,
            "noindex": noindex,
            "filter": filterset,
            "page": page,
            "page_range": list(
                page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
            ),
            "cards": cards,
            "structured_data": catalogue_data(cards, request, page.start_index()),
            "facets_html": sidebar.html,
            "active_filters": chips,
            "facet_filter_count": sum(1 for chip in chips if chip["name"] != "q"),
            "query": query,
            "others": others,
            "orderings": filterset.orderings,
            "suggestion": suggestion,
            "suggestion_url": suggestion_url,
            "ordering": filterset.ordering,
        },
    )


@dataclass(frozen=True)
class Sidebar:
    """The catalogue's filters as shown: their HTML, and the label of each option (for the
    chips of the chosen ones)."""

    html: str
    labels: dict


def render_sidebar(facets) -> Sidebar:
    labels = {
        (facet.name, option.value.casefold()): option.label
        for facet in facets
        for option in facet.options
    }
    return Sidebar(facets_html(facets), labels)


class IndexedResults:
    """The matches of a catalogue request as the paginator sees them: a length, and the
    course ids of a slice in the chosen order."""

    def __init__(self, index, mask: int, ordering: str, ranked: dict[int, float] | None):
        self.index, self.mask, self.ordering, self.ranked = index, mask, ordering, ranked
        self.total = mask.bit_count()

    def __len__(self) -> int:
        return self.total

    def count(self) -> int:
        return self.total

    def __getitem__(self, part: slice) -> list[int]:
        start = part.start or 0
        stop = min(part.stop if part.stop is not None else self.total, self.total)
        return self.index.page(self.mask, self.ordering, start, stop - start, self.ranked)


def canonical(request: HttpRequest, chips: list[dict], page_number: int) -> tuple[str, bool]:
    """The catalogue page's canonical path and whether search engines should skip it.

    The page number stays (each page lists other courses); the order, unknown values and
    repeated or differently spelled parameters go. A single filter value is a landing page
    worth indexing ("all e-learning"); a search or a combination of filters is not, so it
    gets noindex, with its normalised query as canonical.
    """
    params = [(chip["name"], chip["value"]) for chip in chips if chip["name"] != "q"]
    noindex = len(params) > 1 or any(chip["name"] == "q" for chip in chips)
    if page_number > 1:
        params.append(("page", str(page_number)))
    query = urlencode(params)
    return request.path + ("?" + query if query else ""), noindex


def active_filters(request: HttpRequest, filterset: CourseFilter, labels: dict) -> list[dict]:
    """The chosen filter values as removable chips, each with the URL that drops it.
    `labels`: the facets' option labels by (facet, value casefolded)."""
    chips = []
    for facet_name in FACET_NAMES:
        for value in filterset.selected(facet_name):
            if facet_name in IGNORED_WHEN_UNKNOWN and (facet_name, value.casefold()) not in labels:
                continue  # the filter ignores it too
            params = request.GET.copy()
            params.setlist(facet_name, [v for v in params.getlist(facet_name) if v != value])
            params.pop("page", None)
            chips.append(
                {
                    "name": facet_name,
                    "value": value,
                    "label": labels.get((facet_name, value.casefold()), value),
                    "url": "?" + params.urlencode() if params else "?",
                }
            )
    query = filterset.search_query
    if query:
        params = request.GET.copy()
        params.pop("q", None)
        params.pop("page", None)
        chips.insert(
            0, {"name": "q", "value": query, "label": f"“{query}”", "url": "?" + params.urlencode()}
        )
    return chips


# Search data on the course row that no page shows (kept by trainings.search.refresh()).
WIDE_COURSE_COLUMNS = ("search_text", "search_vector_nl", "search_vector_fr", "search_vector_en")


def course_detail_queryset():
    """Everything the course page shows but its prices, sessions (listed_sessions), labels
    and optional relations (read_optional_relations): the course with its theme and contact,
    and per optional relation whether the course has any (has_<name>)."""
    return (
        Course.objects.select_related("theme", "contact_provider")
        .defer(*WIDE_COURSE_COLUMNS)
        .annotate(**has_optional_relations())
    )


# The course page's two queries of its own, compiled to SQL once per process.
COURSE_PAGE = Precompiled(lambda pk: course_detail_queryset().filter(pk=pk).order_by())
COURSE_PRICES = Precompiled(lambda course: Price.objects.filter(course_id=course))


def course_for_page(course_id: int) -> Course:
    """The course as its page shows it (course_detail_queryset), with its prices."""
    course = COURSE_PAGE.first(pk=course_id)
    if course is None:  # removed since its places were read
        raise Http404
    set_prefetched(course, "prices", COURSE_PRICES.all(course=course_id))
    return course


@functools.cache
def has_optional_relations() -> dict[str, Exists]:
    """Per relation the course page may show and many courses do not have: whether the
    course has any rows in it (an index lookup each, in the course's own query), as the
    annotation has_<relation>. Built once: a query copies the expressions it uses."""
    rows = {
        "programme": ProgrammePart.objects.filter(course=OuterRef("pk")),
        "resources": Resource.objects.filter(course=OuterRef("pk")),
        "related_courses": Course.related_courses.through.objects.filter(
            from_course=OuterRef("pk")
        ),
        "path_steps": LearningPathStep.objects.filter(course=OuterRef("pk")),
        "profiles": Profile.courses.through.objects.filter(course=OuterRef("pk")),
    }
    return {f"has_{name}": Exists(rows[name]) for name in OPTIONAL_RELATIONS}


# The relations of a course that its page shows when it has any (read_optional_relations).
OPTIONAL_RELATIONS = ("programme", "resources", "related_courses", "path_steps", "profiles")


def optional_relation_lookups() -> dict:
    """How the course page reads each optional relation."""
    related = (
        Course.objects.published()
        .select_related("theme")
        .only(
            "title",
            "slug",
            "summary",
            *(f"theme__{column}" for column in translated_columns()),
            "level",
            "status",
        )
    )
    return {
        "programme": "programme",
        "resources": "resources",
        "related_courses": Prefetch("related_courses", queryset=related),
        "path_steps": Prefetch(
            "path_steps",
            queryset=LearningPathStep.objects.filter(path__is_published=True).select_related(
                "path"
            ),
        ),
        "profiles": Prefetch("profiles", queryset=Profile.objects.only("name", "slug")),
    }


def read_optional_relations(course: Course) -> None:
    """Read the optional relations the course has (its has_<relation> annotations); the
    others are set empty the way a prefetch sets them, so a course without a programme, say,
    costs no query for one."""
    present = [name for name in OPTIONAL_RELATIONS if getattr(course, f"has_{name}")]
    if present:
        lookups = optional_relation_lookups()
        prefetch_related_objects([course], *(lookups[name] for name in present))
    for name in set(OPTIONAL_RELATIONS) - set(present):
        set_prefetched(course, name, [])


@require_safe
@conditional_page(
    lambda slug, **kwargs: [course_version_key(slug)], clock=Clock.COURSE_REGISTRATION
)
@cached_page(lambda slug, **kwargs: [course_version_key(slug)])
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    now = timezone.now()
    local = fragments.local_version()  # before the query that reads the places
    found = fragments.course_live(slug, now)
    if found is None:
        raise Http404
    version, course_id, published, live = found
    if not published and not (request.user.is_authenticated and request.user.is_staff):
        raise Http404
    # Today's date: a course expected from a month, or guaranteed until a day, reads it.
    key = fragments.skeleton_key(request, "course", (local, version), live, timezone.localdate(now))
    build = lambda: course_skeleton(request, course_id, live, (local, version))  # noqa: E731
    return _from_skeleton(request, key, build, live, now)


def course_skeleton(
    request, course_id: int, live: list[fragments.Live], versions: tuple
) -> fragments.Skeleton:
    course = course_for_page(course_id)
    read_optional_relations(course)
    course.upcoming_sessions = listed_sessions(live, with_course=False)
    # The labels from the catalogue's facet index when this process has it for the version
    # read with the places (no query), else from the database.
    index = facet_index.peek(facet_index.version_from(*versions))
    labels = index.labels_of(course.pk) if index is not None else None
    if labels is None:
        attach_labels([course])
    else:
        course.labels = labels
    holes = fragments.Holes()
    data = course_data(course, request)
    # course_data lists the sessions with a start and an end, in order, each with its places.
    positions = tuple(
        enumerate(s.pk for s in course.upcoming_sessions if s.starts_at and s.ends_at)
    )
    html = render_to_string(
        "catalogue/course_detail.html",
        {
            "course": course,
            "structured_data": holes.add(fragments.JsonLdHole(data, positions)),
            "fragment_holes": holes,
        },
        request,
    )
    return holes.skeleton(html)


@require_safe
@conditional_page()
@cached_page()
def path_list(request: HttpRequest) -> HttpResponse:
    paths = LearningPath.objects.filter(is_published=True).annotate(
        course_count=Count("steps", filter=Q(steps__course__is_published=True))
    )
    return render(request, "catalogue/path_list.html", {"paths": paths})


@require_safe
@conditional_page()
@cached_page()
def profile_list(request: HttpRequest) -> HttpResponse:
    profiles = Profile.objects.annotate(
        course_count=Count("courses", filter=Q(courses__is_published=True))
    )
    return render(request, "catalogue/profile_list.html", {"profiles": profiles})


@require_safe
@conditional_page()
@cached_page()
def path_detail(request: HttpRequest, slug: str) -> HttpResponse:
    steps = LearningPathStep.objects.filter(course__is_published=True).select_related(
        "course", "course__theme"
    )
    path = get_object_or_404(
        LearningPath.objects.filter(is_published=True).prefetch_related(
            Prefetch("steps", queryset=steps)
        ),
        slug=slug,
    )
    return render(request, "catalogue/path_detail.html", {"path": path})


@require_safe
@conditional_page(clock=Clock.REGISTRATION)
@cached_page()
def profile_detail(request: HttpRequest, slug: str) -> HttpResponse:
    profile = get_object_or_404(Profile.objects.prefetch_related("resources"), slug=slug)
    courses = attach_labels(
        profile.courses.published().for_listing().order_by(LocalisedOrder("title"), "pk")
    )
    return render(
        request, "catalogue/profile_detail.html", {"profile": profile, "courses": courses}
    )


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/privacy.html",
        {"retention_months": settings.PERSONAL_DATA_RETENTION_MONTHS},
    )


# When the accessibility statement was last checked against the site and its tests.
ACCESSIBILITY_STATEMENT_DATE = datetime.date(2026, 12, 2)


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (toegankelijkheidsverklaring) and how to report a barrier."""
    email = settings.ACCESSIBILITY_EMAIL
    report = urlencode(
        {
            "subject": _("Toegankelijkheidsprobleem in de Trainingscatalogus"),
            "body": _(
                "Op welke pagina (adres)?\n\nWat probeerde je te doen?\n\n"
                "Wat ging er mis?\n\nWelk hulpmiddel of welke browser gebruik je (mag leeg)?\n"
            ),
        },
        quote_via=quote,
    )
    return render(
        request,
        "catalogue/accessibility.html",
        {
            "contact_email": email,
            "report_link": f"mailto:{email}?{report}",
            "statement_date": ACCESSIBILITY_STATEMENT_DATE,
        },
    )


@require_safe
def switch_language(request: HttpRequest, code: str) -> HttpResponse:
    """Remember the chosen language in a cookie and go to the page the visitor was on, in
    that language (/trainingen/x/ → /fr/trainingen/x/ and back)."""
    languages = dict(settings.LANGUAGES)
    if code not in languages:
        raise Http404
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("catalogue:home")
    response = HttpResponseRedirect(url_in_language(target, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    # The personal and per-session pages exist in every language: /inschrijving/, /fr/…
    prefixes = ["/"] + [
        f"/{code}/" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
    ]
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /taal/",
        *(
            f"Disallow: {prefix}{part}/"
            for part in ("export", "inschrijving", "sessies")
            for prefix in prefixes
        ),
        f"Sitemap: {request.build_absolute_uri(reverse('site:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an old or missing security token: explain, in Dutch, what to do."""
    return render(request, "csrf_failure.html", status=403)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # the point is to report any database failure, whatever its kind
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    # The worker's health, for monitoring: mail waits (nothing is lost) while it is down.
    waiting = oldest_unsent_age()
    seconds = 0 if waiting is None else int(waiting.total_seconds())
    return HttpResponse(f"ok\noldest unsent mail: {seconds} s\n", content_type="text/plain")
