import datetime

import factory
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from enrolments.models import Enrolment, organisation_key
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


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Thema {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class FormatFactory(DjangoModelFactory):
    class Meta:
        model = Format
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Werkvorm {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class AudienceFactory(DjangoModelFactory):
    class Meta:
        model = Audience
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Doelgroep {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Aanbieder {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class CourseFactory(DjangoModelFactory):
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


class PriceFactory(DjangoModelFactory):
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
    class Meta:
        model = Enrolment

    session = factory.SubFactory(SessionFactory)
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Jansen{n}")
    email = factory.Sequence(lambda n: f"persoon{n}@example.org")
    organisation = "Bibliotheek Utrecht"
    organisation_key = factory.LazyAttribute(lambda o: organisation_key(o.organisation))
    status = Enrolment.Status.REGISTERED
