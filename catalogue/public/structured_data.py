"""schema.org data (JSON-LD) for search engines: courses, their sessions and the catalogue."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils import timezone, translation

from trainings.models import Course, Delivery, Price, PriceCategory, Session

EVENT_STATUS = {
    # A session that has not been decided yet is scheduled; the decision either keeps it so
    # (confirmed) or cancels it.
    Session.Status.SCHEDULED: "https://schema.org/EventScheduled",
    Session.Status.CONFIRMED: "https://schema.org/EventScheduled",
    Session.Status.CANCELLED: "https://schema.org/EventCancelled",
}


OFFER_CATEGORY = {
    PriceCategory.FREE: "Free",
    PriceCategory.PARTIALLY_FREE: "Partially Free",
    PriceCategory.PAID: "Paid",
}
ONLINE_FORMATS = {"e-learning", "online-live", "micro-learning"}
ONSITE_FORMATS = {"klassikaal", "in-company"}
NUMBER_WORDS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6}
# Dutch duration units as ISO 8601 designators; a dagdeel (morning, afternoon or evening)
# is half a day.
DURATION_UNITS = {
    "minuut": ("T", "M", 1),
    "minuten": ("T", "M", 1),
    "uur": ("T", "H", 1),
    "uren": ("T", "H", 1),
    "dagdeel": ("", "D", 0.5),
    "dagdelen": ("", "D", 0.5),
    "dag": ("", "D", 1),
    "dagen": ("", "D", 1),
    "lesdag": ("", "D", 1),
    "lesdagen": ("", "D", 1),
    "week": ("", "W", 1),
    "weken": ("", "W", 1),
}
DURATION = re.compile(r"^\s*(\d+(?:[.,]\d+)?|[a-zé]+)\s+([a-z]+)\s*$")


def workload(duration: str) -> str | None:
    """ISO 8601 duration of a course's Dutch duration text ("3 uur", "2 lesdagen"), or None
    when the text says something we cannot count."""
    match = DURATION.match(duration.lower())
    if not match or match.group(2) not in DURATION_UNITS:
        return None
    amount, unit = match.groups()
    number = NUMBER_WORDS.get(amount)
    if number is None:
        try:
            number = float(amount.replace(",", "."))
        except ValueError:
            return None
    time, designator, factor = DURATION_UNITS[unit]
    value = number * factor
    text = f"{value:g}"
    return f"P{time}{text}{designator}"


def course_mode(course: Course) -> str | None:
    """Onsite, Online or Blended, from the course's formats (labels attached by the view)."""
    slugs = {format_.slug for format_ in course.labels.formats}
    online, onsite = bool(slugs & ONLINE_FORMATS), bool(slugs & ONSITE_FORMATS)
    if "blended" in slugs or (online and onsite):
        return "Blended"
    if online:
        return "Online"
    if onsite:
        return "Onsite"
    if course.delivery == Delivery.PLATFORM:
        return "Online"
    return None


def iso_duration(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"PT{hours}H{minutes}M" if minutes else f"PT{hours}H"


def offer(price: Price) -> dict:
    data = {
        "@type": "Offer",
        "name": str(price.get_kind_display()),
        "category": "Free" if price.is_free else "Paid",
        "priceCurrency": "EUR",
    }
    if price.amount is not None:
        data["price"] = f"{price.amount:.2f}"
    elif price.kind == Price.Kind.FREE_UNDER_CONDITION:
        data["price"] = "0.00"
    if price.condition:
        data["description"] = price.condition
    return data


def location(session: Session, request: HttpRequest, course_url: str) -> dict:
    place = session.location
    if place.is_online:
        return {"@type": "VirtualLocation", "url": course_url}
    return {
        "@type": "Place",
        "name": place.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": place.street_address,
            "postalCode": place.postal_code,
            "addressLocality": place.city,
            "addressCountry": place.country,
        },
    }


def course_instance(session: Session, request: HttpRequest, course_url: str) -> dict:
    days = list(session.days.all())
    workload = sum((day.ends_at - day.starts_at for day in days), datetime.timedelta())
    data = {
        "@type": "CourseInstance",
        "courseMode": "Online" if session.location.is_online else "Onsite",
        "courseWorkload": iso_duration(workload),
        "location": location(session, request, course_url),
        "startDate": timezone.localtime(session.starts_at).isoformat(),
        "endDate": timezone.localtime(session.ends_at).isoformat(),
        "maximumAttendeeCapacity": session.capacity,
        "remainingAttendeeCapacity": session.places_left,
        "eventStatus": EVENT_STATUS[session.status],
        "url": f"{course_url}#sessie-{session.pk}",
    }
    if session.trainer:
        data["instructor"] = {"@type": "Person", "name": session.trainer}
    return data


def course_data(course: Course, request: HttpRequest) -> dict:
    """schema.org Course, with one Offer per price and one CourseInstance per session."""
    url = request.build_absolute_uri(course.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "name": course.title,
        "description": course.summary,
        "url": url,
        # The language of the page (and of its texts, where the course is translated).
        "inLanguage": translation.get_language() or settings.LANGUAGE_CODE,
        "provider": [
            {"@type": "Organization", "name": provider.name} for provider in course.labels.providers
        ]
        or {"@type": "Organization", "name": "Trainingscatalogus"},
        "image": [request.build_absolute_uri(static("img/share.png"))],
    }
    if course.level:
        data["educationalLevel"] = str(course.get_level_display())
    if course.labels.audiences:
        data["audience"] = [
            {"@type": "Audience", "audienceType": audience.name}
            for audience in course.labels.audiences
        ]
    if course.theme:
        data["about"] = course.theme.name
    objectives = course.objective_lines
    if objectives:
        data["teaches"] = objectives
    prices = list(course.prices.all())
    if prices:
        data["offers"] = [offer(price) for price in prices]
    elif course.price_category:
        data["offers"] = [category_offer(course, url)]
    sessions = [s for s in course.upcoming_sessions if s.starts_at and s.ends_at]
    if sessions:
        data["hasCourseInstance"] = [course_instance(s, request, url) for s in sessions]
    else:
        instance = unscheduled_instance(course, url)
        if instance:
            data["hasCourseInstance"] = [instance]
    return data


def category_offer(course: Course, url: str) -> dict:
    """An Offer for a course without prices: only whether it is free, and where to book."""
    data = {
        "@type": "Offer",
        "category": OFFER_CATEGORY[course.price_category],
        "url": course.external_url if course.runs_elsewhere else url,
    }
    if course.price_category == PriceCategory.FREE:
        data["price"] = "0.00"
        data["priceCurrency"] = "EUR"
    return data


def unscheduled_instance(course: Course, url: str) -> dict | None:
    """How a course without upcoming sessions is taken: its mode and, where its duration
    says so, its workload; on another platform or with the provider, that site's link."""
    mode = course_mode(course)
    if mode is None:
        return None
    data = {"@type": "CourseInstance", "courseMode": mode}
    hours = workload(course.duration)
    if hours:
        data["courseWorkload"] = hours
    data["url"] = course.external_url if course.runs_elsewhere else url
    return data


def catalogue_data(cards: Iterable, request: HttpRequest, first_position: int) -> dict:
    """schema.org ItemList of the courses on this page (their cards: title and url)."""
    items = [
        {
            "@type": "ListItem",
            "position": first_position + index,
            "url": request.build_absolute_uri(card.url),
            "name": card.title,
        }
        for index, card in enumerate(cards)
    ]
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "numberOfItems": len(items),
        "itemListElement": items,
    }
