"""Querysets compiled to SQL once per process (trainings/precompiled.py)."""

from unittest import mock

import pytest
from django.db.models import Prefetch
from django.db.models.sql.compiler import SQLCompiler

from catalogue.public.views import COURSE_PAGE, course_detail_queryset, course_for_page
from tests.factories import CourseFactory, PriceFactory, ProviderFactory
from trainings.models import Course, Price, ProgrammePart
from trainings.precompiled import MAX_LIST, Precompiled

pytestmark = pytest.mark.django_db


def test_each_run_gives_the_rows_of_its_own_values_as_the_queryset_would():
    courses = [
        CourseFactory(contact_provider=ProviderFactory()),
        CourseFactory(theme=None),
        CourseFactory(),
    ]
    ProgrammePart.objects.create(course=courses[1], title="Dag 1")
    for course in courses * 2:
        expected = course_detail_queryset().get(pk=course.pk)
        found = COURSE_PAGE.first(pk=course.pk)
        assert found.pk == course.pk
        assert found.title == expected.title and found.slug == expected.slug
        assert found.has_programme == expected.has_programme == (course == courses[1])
        assert found.theme == expected.theme
        assert found.contact_provider == expected.contact_provider
        assert found._state.db == "default" and not found._state.adding
    assert COURSE_PAGE.first(pk=10**9) is None


def test_the_sql_is_built_once():
    first, second = CourseFactory(), CourseFactory()
    query = Precompiled(lambda pk: Course.objects.select_related("theme").filter(pk=pk))
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql):
        assert query.first(pk=first.pk).pk == first.pk
        compiled = SQLCompiler.as_sql.call_count
        assert compiled >= 1
        assert query.first(pk=second.pk).theme == second.theme
        assert query.first(pk=first.pk).pk == first.pk
        assert SQLCompiler.as_sql.call_count == compiled


def test_a_string_can_vary_too():
    course = CourseFactory(slug="leesplezier")
    query = Precompiled(lambda slug: Course.objects.filter(slug=slug, is_published=True))
    assert [c.pk for c in query.all(slug="leesplezier")] == [course.pk]
    assert query.all(slug="voorlezen") == []


def test_a_tuple_of_ids_is_compiled_once_per_length():
    courses = CourseFactory.create_batch(4)
    query = Precompiled(lambda ids: Course.objects.filter(pk__in=ids).order_by("pk"))
    pks = [course.pk for course in courses]
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql):
        assert [c.pk for c in query.all(ids=(pks[0], pks[2]))] == [pks[0], pks[2]]
        compiled = SQLCompiler.as_sql.call_count
        assert [c.pk for c in query.all(ids=(pks[3], pks[1]))] == [pks[1], pks[3]]
        assert [c.pk for c in query.all(ids=(pks[1], pks[1]))] == [pks[1]]  # repeated
        assert query.all(ids=(10**9, 10**9 + 1)) == []
        assert SQLCompiler.as_sql.call_count == compiled  # same length: no new SQL
        assert [c.pk for c in query.all(ids=tuple(pks))] == pks  # another length
        assert SQLCompiler.as_sql.call_count > compiled
    # Longer than MAX_LIST: run as a plain queryset, with the same rows.
    many = (*pks, *range(10**9, 10**9 + MAX_LIST))
    assert [c.pk for c in query.all(ids=many)] == pks


def test_a_tuple_and_a_scalar_together():
    course, other = CourseFactory(is_published=True), CourseFactory(is_published=False)
    query = Precompiled(
        lambda ids, slug: Course.objects.filter(pk__in=ids).exclude(slug=slug).order_by("pk")
    )
    both = (course.pk, other.pk)
    assert [c.pk for c in query.all(ids=both, slug=other.slug)] == [course.pk]
    assert [c.pk for c in query.all(ids=both, slug=course.slug)] == [other.pk]


def test_the_course_page_reads_its_prices_in_their_order():
    course = CourseFactory()
    later = PriceFactory(course=course, position=2, amount="30.00")
    sooner = PriceFactory(
        course=course, position=1, amount="200.00", kind=Price.Kind.PER_RESERVED_SESSION
    )
    PriceFactory(amount="99.00")  # another course's
    with_prices = course_for_page(course.pk)
    assert list(with_prices.prices.all()) == [sooner, later]


def test_what_cannot_be_precompiled_is_refused():
    with pytest.raises(TypeError):
        Precompiled(lambda ids: Course.objects.filter(pk__in=ids)).all(ids=[1, 2])
    with pytest.raises(TypeError):
        Precompiled(lambda ids: Course.objects.filter(pk__in=ids)).all(ids=())
    with pytest.raises(TypeError):
        Precompiled(lambda ids: Course.objects.filter(slug__in=ids)).all(ids=("a", "b"))
    with pytest.raises(ValueError, match="not a parameter"):
        # The SQL holds "%word%", not the word.
        Precompiled(lambda word: Course.objects.filter(title__icontains=word)).all(word="lezen")
    prices = Prefetch("prices", queryset=Price.objects.all())
    with pytest.raises(ValueError, match="prefetch"):
        Precompiled(lambda pk: Course.objects.prefetch_related(prices).filter(pk=pk)).all(pk=1)
