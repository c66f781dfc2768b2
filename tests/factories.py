import contextlib
import datetime
from unittest import mock

import factory
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from enrolments.models import (
    Attendance,
    Enrolment,
    EnrolmentGroup,
    Interest,
    Organisation,
    QueuedEmail,
    SessionRequest,
    organisation_key,
)
from enrolments.places import services
from trainings import search
from trainings.models import (
    Audience,
    Course,
    Format,
    Location,
    Price,
    Provider,
    Session,
    SessionDay,
    Theme,
)


class DutchFactory(DjangoModelFactory):
    """For models with texts per language: what a factory writes is the Dutch text, whatever
    language a previous request left active (modeltranslation writes the active one)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with translation.override("nl"):
            return super()._create(model_class, *args, **kwargs)


class ThemeFactory(DutchFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Thema {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class FormatFactory(DutchFactory):
    class Meta:
        model = Format
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Werkvorm {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class AudienceFactory(DutchFactory):
    class Meta:
        model = Audience
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Doelgroep {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ProviderFactory(DutchFactory):
    class Meta:
        model = Provider
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Aanbieder {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class CourseFactory(DutchFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Training {n:04d}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = factory.LazyAttribute(lambda o: f"Korte samenvatting van {o.title}.")
    description = "Een beschrijving.\n\nMet twee alinea's."
    is_published = True
    theme = factory.SubFactory(ThemeFactory)
    default_capacity = 12

    @factory.post_generation
    def formats(self, create, extracted, **kwargs):
        if create and extracted:
            self.formats.set(extracted)

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(extracted)

    @factory.post_generation
    def providers(self, create, extracted, **kwargs):
        if create and extracted:
            self.providers.set(extracted)

    @factory.post_generation
    def search_index(self, create, extracted, **kwargs):
        if create:
            search.refresh([self.pk])


class PriceFactory(DutchFactory):
    class Meta:
        model = Price

    course = factory.SubFactory(CourseFactory)
    kind = Price.Kind.PER_PARTICIPANT
    amount = "25.00"


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Bibliotheek {n}")
    city = "Utrecht"
    street_address = "Neude 1"
    postal_code = "3512 AA"


class SessionFactory(DjangoModelFactory):
    """A session on one day, two weeks from now unless `days` says otherwise.

    days: a list of (date, start time, end time), or of day offsets from today.
    """

    class Meta:
        model = Session
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    location = factory.SubFactory(LocationFactory)
    capacity = 10
    min_participants = 0

    @factory.post_generation
    def days(self, create, extracted, **kwargs):
        if not create:
            return
        today = timezone.localdate()
        specs = extracted if extracted is not None else [14]
        for spec in specs:
            if isinstance(spec, int):
                spec = (today + datetime.timedelta(days=spec), datetime.time(9), datetime.time(12))
            SessionDay.objects.create(
                session=self, date=spec[0], start_time=spec[1], end_time=spec[2]
            )


class EnrolmentFactory(DjangoModelFactory):
    """A person placed through the services, as the site and the admin place people: the
    factory cannot overbook a session or put someone on the waiting list while places are free.

    status=REGISTERED needs a free place and status=WAITLISTED a full session (else it
    raises: the test asked for an impossible state); status=CANCELLED enrols and then
    cancels through enrolment_cancel (cancelled_late=True cancels on the first day). A session
    that has started (or created_at) takes the enrolment at that earlier moment. The mails the
    services queue while setting up are dropped: a test looks at the mail of what it does.
    """

    class Meta:
        model = Enrolment

    session = factory.SubFactory(SessionFactory)
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Jansen{n}")
    email = factory.Sequence(lambda n: f"persoon{n}@example.org")
    organisation = "Bibliotheek Utrecht"
    job_title = ""
    status = Enrolment.Status.REGISTERED

    @classmethod
    def _create(cls, model_class, *args, session, status, **kwargs):
        created_at = kwargs.pop("created_at", None)
        cancelled_late = kwargs.pop("cancelled_late", False)
        person = {
            name: kwargs.pop(name)
            for name in ("first_name", "last_name", "email", "organisation", "job_title")
        }
        stored = Session.objects.get(pk=session.pk)
        starts_at, now = stored.starts_at, timezone.now()
        if created_at is None and starts_at is not None and starts_at <= now:
            created_at = starts_at - datetime.timedelta(days=7)  # enrolled before it began
        cancel_at = created_at
        if status == Enrolment.Status.CANCELLED:
            if cancelled_late:
                cancel_at = starts_at  # the first day is past any free-cancellation date
            elif stored.is_late_cancellation(created_at or now):
                created_at = cancel_at = starts_at - datetime.timedelta(days=60)
        with transaction.atomic():
            with _at(created_at):
                result = services.enrolment_create(session_id=session.pk, public=False, **person)
            enrolment = result.enrolment
            if status != Enrolment.Status.CANCELLED and enrolment.status != status:
                raise ValueError(
                    f"EnrolmentFactory(status={status}) gave {enrolment.status}: a place only "
                    "when one is free, the waiting list only when the session is full. Size the "
                    "session for the test, or use RawEnrolmentFactory for a state the services "
                    "never produce."
                )
            if status == Enrolment.Status.CANCELLED:
                with _at(cancel_at):
                    enrolment = services.enrolment_cancel(enrolment_id=enrolment.pk)
                assert enrolment.cancelled_late == bool(cancelled_late)
            # Setting up is not what a test looks at: drop its mail before it is sent.
            QueuedEmail.objects.filter(enrolment=enrolment).delete()
        if kwargs:  # fields no rule is about (group, cost outcome, ...)
            Enrolment.objects.filter(pk=enrolment.pk).update(**kwargs)
        enrolment.refresh_from_db()
        enrolment.session = session
        return enrolment


def _at(moment: datetime.datetime | None):
    """Let the services act at `moment` (None: now)."""
    if moment is None:
        return contextlib.nullcontext()
    return mock.patch.object(timezone, "now", lambda: moment)


class RawEnrolmentFactory(EnrolmentFactory):
    """An enrolment row written directly, past the services and their rules. Only for states
    the services cannot produce, such as a waiting list beside free places, or to test a
    database constraint itself; say in the test why the raw row is needed. Shares
    EnrolmentFactory's sequence, so addresses never collide."""

    organisation_key = factory.LazyAttribute(lambda o: organisation_key(o.organisation))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return super(EnrolmentFactory, cls)._create(model_class, *args, **kwargs)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["key"]

    name = factory.Sequence(lambda n: f"Bibliotheek {n}")
    key = factory.LazyAttribute(lambda o: organisation_key(o.name))


class AttendanceFactory(DjangoModelFactory):
    """One day's attendance of a registered person (the enrolment's first day by default)."""

    class Meta:
        model = Attendance

    enrolment = factory.SubFactory(EnrolmentFactory)
    day = factory.LazyAttribute(lambda o: o.enrolment.session.days.order_by("date").first())
    status = Attendance.Status.PRESENT


class InterestFactory(DjangoModelFactory):
    class Meta:
        model = Interest

    course = factory.SubFactory(CourseFactory)
    email = factory.Sequence(lambda n: f"belangstelling{n}@example.org")
    consent_at = factory.LazyFunction(timezone.now)


class SessionRequestFactory(DjangoModelFactory):
    class Meta:
        model = SessionRequest

    course = factory.SubFactory(CourseFactory)
    organisation = "Bibliotheek Utrecht"
    contact_name = "Piet de Vries"
    email = factory.Sequence(lambda n: f"aanvraag{n}@example.org")
    participants = 8


class EnrolmentGroupFactory(DjangoModelFactory):
    """A colleague's group request, not yet confirmed (people as the form stores them)."""

    class Meta:
        model = EnrolmentGroup

    session = factory.SubFactory(SessionFactory)
    organisation = "Bibliotheek Utrecht"
    submitted_by_name = "Piet de Vries"
    submitted_by_email = factory.Sequence(lambda n: f"inschrijver{n}@example.org")
    people = factory.LazyFunction(list)
    size = factory.LazyAttribute(lambda o: len(o.people))


class QueuedEmailFactory(DjangoModelFactory):
    """A message waiting in the outbox."""

    class Meta:
        model = QueuedEmail

    kind = "registered"
    to = factory.Sequence(lambda n: f"ontvanger{n}@example.org")
    subject = "Inschrijving bevestigd"
    body_text = "Je bent ingeschreven."
    status = QueuedEmail.Status.PENDING
