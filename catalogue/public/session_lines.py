"""A session as the home and course pages list it: its days, where, and its state.

Built in Python rather than by the template engine, as the course cards are (cards.py): a
course page drawn for the first time rendered its session lines through two templates, about
0.3 ms a session, and every page fills each session's state anew from the live places.
Values are escaped with the standard library's html.escape, which is what Django's escape()
does; our own translated messages are not, as {% translate %} leaves them (their ids are the
ones the templates had, so the translations stay).
"""

from __future__ import annotations

import datetime
import functools
from html import escape

from django.utils import formats
from django.utils.translation import get_language, gettext, ngettext

from trainings.localised import lang_attribute
from trainings.reversing import reverse_one


@functools.lru_cache(maxsize=4096)
def _formatted(value, format_: str, language: str | None) -> str:
    """A date or a time of day as the active language writes it (about 25 µs each with
    Django's formats; a page lists the same few days again and again)."""
    if isinstance(value, datetime.date):
        return escape(formats.date_format(value, format_))
    return escape(formats.time_format(value, format_))


def _date(value, format_: str) -> str:
    """As the template filter `date`: nothing for no date."""
    if not value:
        return ""
    if type(value) is not datetime.date:  # a datetime: its time zone counts too
        return escape(formats.date_format(value, format_))
    return _formatted(value, format_, get_language())


def _time(value) -> str:
    if value is None:
        return ""
    if type(value) is not datetime.time or value.tzinfo is not None:
        return escape(formats.time_format(value, "H:i"))
    return _formatted(value, "H:i", get_language())


def _p(css: str, text: str) -> str:
    return f'<p class="{css}">{text}</p>'


def render_state(state, show_actions: bool) -> str:
    """The session__state block: places left, full, open or closed, the minimum still
    missing, and the enrolment links. `state` is a fragments.SessionState."""
    if state.is_cancelled:
        status = _p("state state--cancelled", gettext("Geannuleerd"))
    elif not state.is_open_for_registration:
        status = _p("state state--closed", gettext("Inschrijving gesloten"))
    elif state.is_full:
        status = _p("state state--full", gettext("Vol — schrijf je in voor de wachtlijst"))
    else:
        places = state.places_left
        text = ngettext("Nog %(places)s plaats vrij", "Nog %(places)s plaatsen vrij", places)
        status = _p("state state--open", text % {"places": places})
    parts = ['<div class="session__state">', status]
    if show_actions and state.is_open_for_registration:
        first_date = _date(state.first_date, "j F Y")
        where = "" if state.is_online else f", {escape(state.city)}"
        label = gettext("Op de wachtlijst") if state.is_full else gettext("Inschrijven")
        group = gettext("Collega's samen inschrijven")
        enrol = reverse_one("enrolments:enrol", state.pk)
        group_enrol = reverse_one("enrolments:group-enrol", state.pk)
        parts.append(
            f'<a class="button session__action" href="{enrol}">{label}'
            f'<span class="visually-hidden"> — {first_date}{where}</span></a>'
            f'<a class="session__group" href="{group_enrol}">{group}'
            f'<span class="visually-hidden"> — {first_date}</span></a>'
        )
    if state.is_confirmed:
        parts.append(_p("state state--confirmed", gettext("Gaat zeker door")))
    elif state.is_scheduled and state.needs_more_registrations:
        text = gettext("Gaat door bij minimaal %(minimum)s inschrijvingen (nu %(count)s)") % {
            "minimum": state.min_participants,
            "count": state.registered_count,
        }
        parts.append(_p("state state--minimum", text))
    parts.append("</div>")
    return "".join(parts)


def render_session(session, state_html: str, *, show_course: bool, show_actions: bool):
    """(html, untranslated) of a session loaded with its days and location (and course, with
    show_course); `state_html` is its state block (or a skeleton's hole for it).
    `untranslated`: the course title is shown in Dutch on a page in another language."""
    days = session.days.all()
    cancelled = session.is_cancelled
    css = "session session--cancelled" if cancelled else "session"
    parts = [f'<li class="{css}" id="sessie-{session.pk}"><div class="session__when">']
    title_lang = ""
    if show_course:
        course = session.course
        title_lang = lang_attribute(course, "title")
        parts.append(
            f'<h3 class="session__course"><a href="{escape(course.get_absolute_url())}"'
            f"{title_lang}>{escape(course.title)}</a></h3>"
        )
    parts.append('<ul class="session__days">')
    for day in days:
        start = _time(day.start_time)
        parts.append(
            f'<li><time datetime="{_date(day.date, "Y-m-d")}T{start}">'
            f"{_date(day.date, 'l j F Y')}</time>, {start}–{_time(day.end_time)}</li>"
        )
    parts.append("</ul>")
    location = session.location
    if location.is_online:
        parts.append(_p("session__where", gettext("Online")))
    else:
        parts.append(_p("session__where", f"{escape(location.name)}, {escape(location.city)}"))
    if session.reserved_for:
        parts.append(_p("session__note", gettext("Gereserveerd voor één organisatie")))
    if show_actions and not cancelled:
        first_date = _date(days[0].date, "j F Y") if days else ""
        calendar = reverse_one("catalogue:session-calendar", session.pk)
        label = gettext("Toevoegen aan agenda")
        parts.append(
            f'<p class="session__calendar"><a href="{calendar}" rel="nofollow">{label}'
            f'<span class="visually-hidden"> — {first_date}</span></a></p>'
        )
    parts.append("</div>")
    parts.append(state_html)
    parts.append("</li>")
    return "".join(parts), bool(title_lang)
