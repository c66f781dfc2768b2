"""Interest in a course without a fitting session, and requests for a custom session: no
place is taken, but new sessions are announced to who asked."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from enrolments.mail.outbox import queue_email
from enrolments.models import Interest, SessionRequest
from enrolments.places.services import lock_session
from trainings.models import Course, Session, SessionDay

# -- Interest and requests -------------------------------------------------------------------


def interest_register(
    *,
    course: Course,
    email: str,
    organisation: str = "",
    city: str = "",
    language: str | None = None,
) -> None:
    """Remember that someone wants to hear about new sessions (with their consent).

    Registering twice changes nothing and, like enrolling, does not tell whether the address
    was already known.
    """
    email = email.strip()
    with transaction.atomic():
        pending = Interest.objects.filter(course=course, email__iexact=email, notified_at=None)
        if pending.exists():
            return
        now = timezone.now()
        try:
            with transaction.atomic():
                Interest.objects.create(
                    course=course,
                    email=email,
                    organisation=" ".join(organisation.split()),
                    city=" ".join(city.split()),
                    consent_at=now,
                    created_at=now,
                    language=language or settings.LANGUAGE_CODE,
                )
        except IntegrityError:
            return  # a simultaneous identical request won


def interest_notify(*, session_id: int) -> int:
    """Mail everyone waiting for news about this session's course, once. Returns the count."""

    with transaction.atomic():
        session = lock_session(session_id)
        if (
            not session.course.is_published
            or not Session.objects.filter(pk=session.pk).open_for_registration().exists()
        ):
            return 0
        waiting = list(
            Interest.objects.select_for_update().filter(course=session.course, notified_at=None)
        )
        days = list(SessionDay.objects.filter(session=session).order_by("date"))
        for interest in waiting:
            queue_email(
                kind="interest",
                to=interest.email,
                language=interest.language,
                context={"course": session.course, "session": session, "days": days},
            )
        Interest.objects.filter(pk__in=[i.pk for i in waiting]).update(
            notified_at=timezone.now(), notified_session=session
        )
        return len(waiting)


def session_request_create(
    *,
    course: Course,
    organisation: str,
    contact_name: str,
    email: str,
    participants: int,
    phone: str = "",
    preferred_period: str = "",
    message: str = "",
    language: str | None = None,
) -> SessionRequest:
    """Store a request for a custom or in-company session and confirm it to the requester."""

    with transaction.atomic():
        request = SessionRequest.objects.create(
            course=course,
            organisation=" ".join(organisation.split()),
            contact_name=contact_name.strip(),
            email=email.strip(),
            phone=phone.strip(),
            participants=participants,
            preferred_period=preferred_period.strip(),
            message=message.strip(),
            language=language or settings.LANGUAGE_CODE,
        )
        queue_email(
            kind="request_received",
            to=request.email,
            language=request.language,
            context={"request": request, "course": course},
        )
        return request
