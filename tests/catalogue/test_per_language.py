"""Markup kept per language and site address ({% per_language %}), and the hreflang paths
kept per path (catalogue.languages.url_in_language)."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.urls import resolve
from django.utils import translation

from catalogue.languages import path_language, request_in_languages, url_in_language
from catalogue.templatetags import catalogue_tags

TEMPLATE = (
    "{% load i18n catalogue_tags %}"
    '{% per_language "test" %}{% translate "Zoeken" %} {{ value }} '
    "{{ request.get_host }}{% end_per_language %}|{{ value }}"
)


@pytest.fixture(autouse=True)
def forget_kept():
    catalogue_tags._per_language.clear()
    yield
    catalogue_tags._per_language.clear()


def render(value, language="nl", host="example.org"):
    request = RequestFactory().get("/", HTTP_HOST=host)
    with translation.override(language):
        return Template(TEMPLATE).render(Context({"value": value, "request": request}))


@pytest.mark.django_db
def test_kept_per_language_and_host_and_rendered_once(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["example.org", "other.example"]
    assert render("eerste") == "Zoeken eerste example.org|eerste"
    # Kept: what varies per page must not be inside, and indeed is not re-rendered.
    assert render("tweede") == "Zoeken eerste example.org|tweede"
    assert render("derde", "fr") == "Rechercher derde example.org|derde"
    assert render("vierde", host="other.example") == "Zoeken vierde other.example|vierde"


@pytest.mark.django_db
def test_rendered_every_time_while_debugging(settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["example.org"]
    assert render("eerste") == "Zoeken eerste example.org|eerste"
    assert render("tweede") == "Zoeken tweede example.org|tweede"


def test_the_tag_takes_a_quoted_name():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load catalogue_tags %}{% per_language name %}x{% end_per_language %}")


def test_a_page_in_another_language_keeps_its_query_and_its_own_path():
    assert url_in_language("/trainingen/?theme=lezen&page=2", "fr") == (
        "/fr/trainingen/?theme=lezen&page=2"
    )
    assert url_in_language("/trainingen/?theme=lezen", "fr") == "/fr/trainingen/?theme=lezen"
    assert url_in_language("/fr/trainingen/voorlezen/", "nl") == "/trainingen/voorlezen/"
    assert url_in_language("/en/trainingen/voorlezen/", "en") == "/en/trainingen/voorlezen/"
    # Not a page per language: as it was given.
    assert url_in_language("/robots.txt?x=1", "fr") == "/robots.txt?x=1"


@pytest.mark.parametrize(
    "path",
    [
        "/trainingen/voorlezen/",
        "/fr/trainingen/voorlezen/",
        "/en/trainingen/",
        "/",
        "/fr/",
        "/sessies/12.ics",
        "/en/sessies/12/inschrijven/",
    ],
)
def test_a_request_in_each_language_as_url_in_language_gives_it(path):
    request = RequestFactory().get(path)
    with translation.override(path_language(path)):  # as the locale middleware has it
        request.resolver_match = resolve(path)
    for url in (path, path + "?theme=lezen&page=2"):
        expected = {code: url_in_language(url, code) for code in ("nl", "fr", "en")}
        assert request_in_languages(request, url) == expected
    # Another path than the request's (a canonical one): resolved as url_in_language does.
    assert request_in_languages(request, "/trainingen/")["fr"] == "/fr/trainingen/"
