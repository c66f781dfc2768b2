"""schema.org data (JSON-LD) for search engines: courses, their sessions and the catalogue."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.http import HttpRequest
from django.utils import timezone

from trainings.models import Course, Price, Session

EVENT_STATUS = {
    # A session that has not been decided yet is scheduled; the decision either keeps it so
    # (confirmed) or cancels it.
    Session.Status.SCHEDULED: "https://schema.org/EventScheduled",
    Session.Status.CONFIRMED: "https://schema.org/EventScheduled",
    Session.Status.CANCELLED: "https://schema.org/EventCancelled",
}


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
        "inLanguage": "nl",
        "provider": [
            {"@type": "Organization", "name": provider.name} for provider in course.labels.providers
        ]
        or {"@type": "Organization", "name": "Trainingscatalogus"},
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
    sessions = [s for s in course.upcoming_sessions if s.starts_at and s.ends_at]
    if sessions:
        data["hasCourseInstance"] = [course_instance(s, request, url) for s in sessions]
    return data


def catalogue_data(courses: Iterable[Course], request: HttpRequest, first_position: int) -> dict:
    """schema.org ItemList of the courses on this page."""
    items = [
        {
            "@type": "ListItem",
            "position": first_position + index,
            "url": request.build_absolute_uri(course.get_absolute_url()),
            "name": course.title,
        }
        for index, course in enumerate(courses)
    ]
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "numberOfItems": len(items),
        "itemListElement": items,
    }
