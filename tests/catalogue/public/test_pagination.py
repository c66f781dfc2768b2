"""Page numbers under the catalogue: the first page of a long catalogue, with a gap."""

import html5lib
import pytest
from django.urls import reverse

from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

URL = reverse("catalogue:course-list")


def pagination_items(response) -> list[str]:
    document = html5lib.parse(response.content, namespaceHTMLElements=False)
    nav = document.find(".//nav[@class='pagination']")
    assert nav is not None
    return [" ".join("".join(li.itertext()).split()) for li in nav.iter("li")]


def test_the_first_page_of_a_long_catalogue_shows_page_numbers(client):
    for _ in range(20 * 5 + 1):  # six pages
        CourseFactory()
    response = client.get(URL)
    assert pagination_items(response) == [
        "Pagina 1",
        "Pagina 2",
        "…",
        "Pagina 6",
        "Volgende pagina",
    ]
    # A list, not a one-time generator that the template's loop leaves empty for whatever
    # reads it next (a second page bar, this test).
    ellipsis = response.context["page"].paginator.ELLIPSIS
    assert response.context["page_range"] == [1, 2, ellipsis, 6]
    last = client.get(URL, {"page": 6})
    assert pagination_items(last) == [
        "Vorige pagina",
        "Pagina 1",
        "…",
        "Pagina 5",
        "Pagina 6",
    ]


def test_one_page_shows_no_page_numbers(client):
    CourseFactory()
    assert 'class="pagination"' not in client.get(URL).content.decode()
