"""The catalogue's filters as HTML (catalogue/public/sidebar.py): built in Python, so what the
template engine did for free is checked here: escaping, the chosen options, the "show more"
part of a long facet, its translation."""

from django.utils import translation

from catalogue.public.filters import Facet, FacetOption
from catalogue.public.sidebar import facets_html


def provider_facet(count: int, chosen: str = "") -> Facet:
    options = [
        FacetOption(f"aanbieder-{n}", f"Aanbieder {n}", 20 - n, f"aanbieder-{n}" == chosen)
        for n in range(count)
    ]
    options.append(FacetOption('bieb-"oost"', "Bieb <Oost> & co", 1, chosen == "bieb"))
    return Facet("provider", "Aanbieder", options)


def test_labels_and_values_are_escaped():
    html = facets_html([provider_facet(2)])
    assert "<Oost>" not in html and 'value="bieb-"oost""' not in html
    assert "Bieb &lt;Oost&gt; &amp; co" in html
    assert 'value="bieb-&quot;oost&quot;"' in html


def test_a_chosen_option_is_checked_and_counts_are_shown():
    html = facets_html([provider_facet(3, chosen="aanbieder-1")])
    checked = [part for part in html.split("<li>") if " checked" in part]
    assert len(checked) == 1 and 'value="aanbieder-1"' in checked[0]
    assert 'Aanbieder 0 <span class="facet__count">(20' in html


def test_a_long_facet_keeps_the_rest_behind_show_more_open_when_one_of_them_is_chosen():
    facet = provider_facet(12)
    html = facets_html([facet])
    assert f"Toon nog {len(facet.tail)}" in html
    assert '<details class="facet__more" data-key="more-provider">' in html
    chosen = provider_facet(12, chosen="aanbieder-11")  # among the least used: in the tail
    assert '<details class="facet__more" data-key="more-provider" open>' in facets_html([chosen])
    with translation.override("fr"):
        assert f"Afficher {len(facet.tail)} de plus" in facets_html([facet])
