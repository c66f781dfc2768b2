"""Course texts, programme parts, price conditions, providers' and themes' descriptions,
learning paths, profiles and resources get a column per language (django-modeltranslation).

The Dutch column starts as a copy of the existing text (what modeltranslation's
update_translation_fields does), so nothing is lost; French and English start empty and fall
back to Dutch. The seed taxonomy gets its French names (fixtures/catalogue.json has the same
ones in name_fr), as 0010 gave it the English ones: only rows that still have the seed slug
and no French name yet; going back clears exactly the names written here.
"""

from django.db import migrations, models
from django.db.models import F

import trainings.localised

FIELDS = {
    "course": (
        "title",
        "summary",
        "description",
        "objectives",
        "audience_text",
        "methods",
        "content",
        "practical_info",
        "contact_note",
        "external_url_label",
    ),
    "programmepart": ("title", "topics", "learning_goal"),
    "price": ("condition",),
    "provider": ("description",),
    "theme": ("description",),
    "learningpath": ("title", "summary", "description"),
    "profile": ("name", "summary", "description"),
    "resource": ("title", "description"),
}


def copy_to_dutch(apps, schema_editor):
    for model, fields in FIELDS.items():
        apps.get_model("trainings", model).objects.update(
            **{f"{field}_nl": F(field) for field in fields}
        )


def copy_dutch_back(apps, schema_editor):
    """Back to one column per text: the Dutch one (where it was filled)."""
    for model, fields in FIELDS.items():
        Model = apps.get_model("trainings", model)
        for field in fields:
            Model.objects.exclude(**{f"{field}_nl__isnull": True}).exclude(
                **{f"{field}_nl": ""}
            ).update(**{field: F(f"{field}_nl")})


FRENCH_NAMES = {
    "format": {
        "klassikaal": "En présentiel",
        "e-learning": "E-learning",
        "online-live": "En ligne en direct",
        "blended": "Formation hybride",
        "in-company": "En entreprise",
        "micro-learning": "Micro-learning",
    },
    "theme": {
        "digitale-inclusie-ido": "Inclusion numérique & IDO",
        "digitaal-burgerschap": "Citoyenneté numérique",
        "bestuur-en-organisatie": "Administration et organisation",
        "basisvaardigheden-volwassenen": "Compétences de base des adultes",
        "jeugd-en-onderwijs": "Jeunesse et enseignement",
    },
    "audience": {
        "ido-medewerkers": "Personnel IDO",
        "ido-kartrekkers": "Pilotes IDO",
        "ido-projectleiders": "Chefs de projet IDO",
        "coordinatoren": "Coordinateurs",
        "partners": "Partenaires de l'IDO",
        "gemeenten-beleidsmedewerkers": "Communes et chargés de mission",
        "frontoffice-medewerkers": "Personnel d'accueil et de guichet",
        "community-librarians": "Bibliothécaires de quartier",
        "programmeurs": "Programmateurs en bibliothèque",
        "docenten-digitale-vaardigheden": "Formateurs en compétences numériques",
        "vrijwilligers": "Bénévoles",
        "leidinggevenden": "Responsables et cadres",
        "ambtenaren-gemeenten-ocmw": "Agents des communes et CPAS",
        "poi-adviseurs": "Conseillers POI",
        "bibliotheekmedewerkers": "Personnel de bibliothèque",
        "nieuwe-medewerkers": "Nouveaux collaborateurs",
        "specialisten": "Spécialistes en bibliothèque",
        "maatschappelijke-organisaties": "Organisations de la société civile",
        "mediacoaches": "(Futurs) coachs médias",
        "taalhulpverleners": "Personnes qui aident les adultes peu alphabétisés",
    },
}


def add_french_names(apps, schema_editor):
    for model, names in FRENCH_NAMES.items():
        Model = apps.get_model("trainings", model)
        for slug, name in names.items():
            Model.objects.filter(slug=slug, name_fr__isnull=True).update(name_fr=name)
            Model.objects.filter(slug=slug, name_fr="").update(name_fr=name)


def remove_french_names(apps, schema_editor):
    for model, names in FRENCH_NAMES.items():
        Model = apps.get_model("trainings", model)
        for slug, name in names.items():
            Model.objects.filter(slug=slug, name_fr=name).update(name_fr=None)


class Migration(migrations.Migration):

    dependencies = [
        ('trainings', '0011_taxonomy_names_in_french'),
    ]

    operations = [
        migrations.AddField(
            model_name='course',
            name='audience_text_en',
            field=models.TextField(blank=True, null=True, verbose_name='doelgroep (tekst)'),
        ),
        migrations.AddField(
            model_name='course',
            name='audience_text_fr',
            field=models.TextField(blank=True, null=True, verbose_name='doelgroep (tekst)'),
        ),
        migrations.AddField(
            model_name='course',
            name='audience_text_nl',
            field=models.TextField(blank=True, null=True, verbose_name='doelgroep (tekst)'),
        ),
        migrations.AddField(
            model_name='course',
            name='contact_note_en',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='toelichting contact'),
        ),
        migrations.AddField(
            model_name='course',
            name='contact_note_fr',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='toelichting contact'),
        ),
        migrations.AddField(
            model_name='course',
            name='contact_note_nl',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='toelichting contact'),
        ),
        migrations.AddField(
            model_name='course',
            name='content_en',
            field=models.TextField(blank=True, help_text="Eén onderwerp per regel; begin een regel met '-' voor een deelonderwerp.", null=True, verbose_name='inhoud'),
        ),
        migrations.AddField(
            model_name='course',
            name='content_fr',
            field=models.TextField(blank=True, help_text="Eén onderwerp per regel; begin een regel met '-' voor een deelonderwerp.", null=True, verbose_name='inhoud'),
        ),
        migrations.AddField(
            model_name='course',
            name='content_nl',
            field=models.TextField(blank=True, help_text="Eén onderwerp per regel; begin een regel met '-' voor een deelonderwerp.", null=True, verbose_name='inhoud'),
        ),
        migrations.AddField(
            model_name='course',
            name='description_en',
            field=models.TextField(blank=True, help_text="Alinea's scheiden met een witregel.", null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='course',
            name='description_fr',
            field=models.TextField(blank=True, help_text="Alinea's scheiden met een witregel.", null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='course',
            name='description_nl',
            field=models.TextField(blank=True, help_text="Alinea's scheiden met een witregel.", null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='course',
            name='external_url_label_en',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='tekst externe link'),
        ),
        migrations.AddField(
            model_name='course',
            name='external_url_label_fr',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='tekst externe link'),
        ),
        migrations.AddField(
            model_name='course',
            name='external_url_label_nl',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='tekst externe link'),
        ),
        migrations.AddField(
            model_name='course',
            name='methods_en',
            field=models.TextField(blank=True, null=True, verbose_name='pedagogische methoden'),
        ),
        migrations.AddField(
            model_name='course',
            name='methods_fr',
            field=models.TextField(blank=True, null=True, verbose_name='pedagogische methoden'),
        ),
        migrations.AddField(
            model_name='course',
            name='methods_nl',
            field=models.TextField(blank=True, null=True, verbose_name='pedagogische methoden'),
        ),
        migrations.AddField(
            model_name='course',
            name='objectives_en',
            field=models.TextField(blank=True, help_text='Eén doelstelling per regel.', null=True, verbose_name='doelstellingen'),
        ),
        migrations.AddField(
            model_name='course',
            name='objectives_fr',
            field=models.TextField(blank=True, help_text='Eén doelstelling per regel.', null=True, verbose_name='doelstellingen'),
        ),
        migrations.AddField(
            model_name='course',
            name='objectives_nl',
            field=models.TextField(blank=True, help_text='Eén doelstelling per regel.', null=True, verbose_name='doelstellingen'),
        ),
        migrations.AddField(
            model_name='course',
            name='practical_info_en',
            field=models.TextField(blank=True, help_text='Bijvoorbeeld waar de training te volgen is of wat vooraf geregeld moet zijn.', null=True, verbose_name='praktische informatie'),
        ),
        migrations.AddField(
            model_name='course',
            name='practical_info_fr',
            field=models.TextField(blank=True, help_text='Bijvoorbeeld waar de training te volgen is of wat vooraf geregeld moet zijn.', null=True, verbose_name='praktische informatie'),
        ),
        migrations.AddField(
            model_name='course',
            name='practical_info_nl',
            field=models.TextField(blank=True, help_text='Bijvoorbeeld waar de training te volgen is of wat vooraf geregeld moet zijn.', null=True, verbose_name='praktische informatie'),
        ),
        migrations.AddField(
            model_name='course',
            name='summary_en',
            field=models.CharField(help_text='Eén of twee zinnen voor de lijst.', max_length=300, null=True, verbose_name='samenvatting'),
        ),
        migrations.AddField(
            model_name='course',
            name='summary_fr',
            field=models.CharField(help_text='Eén of twee zinnen voor de lijst.', max_length=300, null=True, verbose_name='samenvatting'),
        ),
        migrations.AddField(
            model_name='course',
            name='summary_nl',
            field=models.CharField(help_text='Eén of twee zinnen voor de lijst.', max_length=300, null=True, verbose_name='samenvatting'),
        ),
        migrations.AddField(
            model_name='course',
            name='title_en',
            field=models.CharField(max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='course',
            name='title_fr',
            field=models.CharField(max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='course',
            name='title_nl',
            field=models.CharField(max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='learningpath',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='learningpath',
            name='description_fr',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='learningpath',
            name='description_nl',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='learningpath',
            name='summary_en',
            field=models.CharField(max_length=300, null=True, verbose_name='samenvatting'),
        ),
        migrations.AddField(
            model_name='learningpath',
            name='summary_fr',
            field=models.CharField(max_length=300, null=True, verbose_name='samenvatting'),
        ),
        migrations.AddField(
            model_name='learningpath',
            name='summary_nl',
            field=models.CharField(max_length=300, null=True, verbose_name='samenvatting'),
        ),
        migrations.AddField(
            model_name='learningpath',
            name='title_en',
            field=models.CharField(max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='learningpath',
            name='title_fr',
            field=models.CharField(max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='learningpath',
            name='title_nl',
            field=models.CharField(max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='price',
            name='condition_en',
            field=models.TextField(blank=True, help_text="Verplicht bij 'gratis onder voorwaarde'.", null=True, verbose_name='voorwaarde of toelichting'),
        ),
        migrations.AddField(
            model_name='price',
            name='condition_fr',
            field=models.TextField(blank=True, help_text="Verplicht bij 'gratis onder voorwaarde'.", null=True, verbose_name='voorwaarde of toelichting'),
        ),
        migrations.AddField(
            model_name='price',
            name='condition_nl',
            field=models.TextField(blank=True, help_text="Verplicht bij 'gratis onder voorwaarde'.", null=True, verbose_name='voorwaarde of toelichting'),
        ),
        migrations.AddField(
            model_name='profile',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='profile',
            name='description_fr',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='profile',
            name='description_nl',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='profile',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='naam'),
        ),
        migrations.AddField(
            model_name='profile',
            name='name_fr',
            field=models.CharField(max_length=200, null=True, verbose_name='naam'),
        ),
        migrations.AddField(
            model_name='profile',
            name='name_nl',
            field=models.CharField(max_length=200, null=True, verbose_name='naam'),
        ),
        migrations.AddField(
            model_name='profile',
            name='summary_en',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='samenvatting'),
        ),
        migrations.AddField(
            model_name='profile',
            name='summary_fr',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='samenvatting'),
        ),
        migrations.AddField(
            model_name='profile',
            name='summary_nl',
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name='samenvatting'),
        ),
        migrations.AddField(
            model_name='programmepart',
            name='learning_goal_en',
            field=models.TextField(blank=True, null=True, verbose_name='leerdoel'),
        ),
        migrations.AddField(
            model_name='programmepart',
            name='learning_goal_fr',
            field=models.TextField(blank=True, null=True, verbose_name='leerdoel'),
        ),
        migrations.AddField(
            model_name='programmepart',
            name='learning_goal_nl',
            field=models.TextField(blank=True, null=True, verbose_name='leerdoel'),
        ),
        migrations.AddField(
            model_name='programmepart',
            name='title_en',
            field=models.CharField(help_text='Bijvoorbeeld: Lesdag 1.', max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='programmepart',
            name='title_fr',
            field=models.CharField(help_text='Bijvoorbeeld: Lesdag 1.', max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='programmepart',
            name='title_nl',
            field=models.CharField(help_text='Bijvoorbeeld: Lesdag 1.', max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='programmepart',
            name='topics_en',
            field=models.TextField(help_text='Eén onderwerp per regel.', null=True, verbose_name='onderwerpen'),
        ),
        migrations.AddField(
            model_name='programmepart',
            name='topics_fr',
            field=models.TextField(help_text='Eén onderwerp per regel.', null=True, verbose_name='onderwerpen'),
        ),
        migrations.AddField(
            model_name='programmepart',
            name='topics_nl',
            field=models.TextField(help_text='Eén onderwerp per regel.', null=True, verbose_name='onderwerpen'),
        ),
        migrations.AddField(
            model_name='provider',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='provider',
            name='description_fr',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='provider',
            name='description_nl',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='resource',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='resource',
            name='description_fr',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='resource',
            name='description_nl',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='resource',
            name='title_en',
            field=models.CharField(max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='resource',
            name='title_fr',
            field=models.CharField(max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='resource',
            name='title_nl',
            field=models.CharField(max_length=200, null=True, verbose_name='titel'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_fr',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_nl',
            field=models.TextField(blank=True, null=True, verbose_name='beschrijving'),
        ),
        migrations.AddIndex(
            model_name='course',
            index=models.Index(fields=['is_published', 'title_nl'], name='course_published_title-nl'),
        ),
        migrations.AddIndex(
            model_name='course',
            index=models.Index(fields=['is_published', 'title_fr'], name='course_published_title-fr'),
        ),
        migrations.AddIndex(
            model_name='course',
            index=models.Index(fields=['is_published', 'title_en'], name='course_published_title-en'),
        ),
        migrations.AlterModelOptions(
            name='course',
            options={'ordering': [trainings.localised.LocalisedOrder('title'), 'pk'], 'verbose_name': 'training', 'verbose_name_plural': 'trainingen'},
        ),
        migrations.AlterModelOptions(
            name='learningpath',
            options={'ordering': [trainings.localised.LocalisedOrder('title'), 'pk'], 'verbose_name': 'leerlijn', 'verbose_name_plural': 'leerlijnen'},
        ),
        migrations.AlterModelOptions(
            name='profile',
            options={'ordering': [trainings.localised.LocalisedOrder('name'), 'pk'], 'verbose_name': 'competentieprofiel', 'verbose_name_plural': 'competentieprofielen'},
        ),
        migrations.RunPython(copy_to_dutch, copy_dutch_back),
        migrations.RunPython(add_french_names, remove_french_names),
    ]
