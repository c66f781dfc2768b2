"""English names for the seed taxonomy (fixtures/catalogue.json has the same ones in name_en).

Only rows that still have the seed slug and no English name yet are filled; going back clears
exactly the names this migration wrote.
"""

from django.db import migrations

ENGLISH_NAMES = {
    "format": {
        "klassikaal": "Classroom",
        "e-learning": "E-learning",
        "online-live": "Live online",
        "blended": "Blended",
        "in-company": "In-company",
        "micro-learning": "Microlearning",
    },
    "theme": {
        "digitale-inclusie-ido": "Digital inclusion & IDO",
        "digitaal-burgerschap": "Digital citizenship",
        "bestuur-en-organisatie": "Governance and organisation",
        "basisvaardigheden-volwassenen": "Basic skills for adults",
        "jeugd-en-onderwijs": "Youth and education",
    },
    "audience": {
        "ido-medewerkers": "IDO staff",
        "ido-kartrekkers": "IDO leads",
        "ido-projectleiders": "IDO project managers",
        "coordinatoren": "Coordinators",
        "partners": "IDO partners",
        "gemeenten-beleidsmedewerkers": "Municipalities and policy officers",
        "frontoffice-medewerkers": "Front-office staff",
        "community-librarians": "Community librarians",
        "programmeurs": "Library programme makers",
        "docenten-digitale-vaardigheden": "Digital skills teachers",
        "vrijwilligers": "Volunteers",
        "leidinggevenden": "Managers and team leaders",
        "ambtenaren-gemeenten-ocmw": "Civil servants of municipalities and OCMWs",
        "poi-adviseurs": "POI advisers",
        "bibliotheekmedewerkers": "Library staff",
        "nieuwe-medewerkers": "New staff",
        "specialisten": "Library specialists",
        "maatschappelijke-organisaties": "Community organisations",
        "mediacoaches": "(Prospective) media coaches",
        "taalhulpverleners": "People who help adults with low literacy",
    },
}


def add_english_names(apps, schema_editor):
    for model, names in ENGLISH_NAMES.items():
        Model = apps.get_model("trainings", model)
        for slug, name in names.items():
            Model.objects.filter(slug=slug, name_en__isnull=True).update(name_en=name)
            Model.objects.filter(slug=slug, name_en="").update(name_en=name)


def remove_english_names(apps, schema_editor):
    for model, names in ENGLISH_NAMES.items():
        Model = apps.get_model("trainings", model)
        for slug, name in names.items():
            Model.objects.filter(slug=slug, name_en=name).update(name_en=None)


class Migration(migrations.Migration):

    dependencies = [
        ('trainings', '0009_taxonomy_name_translations'),
    ]

    operations = [migrations.RunPython(add_english_names, remove_english_names)]
