"""Formats, themes and audiences get their name per language (django-modeltranslation).

The Dutch column starts as a copy of the existing name; English is added by 0010.
"""

from django.db import migrations, models
from django.db.models import F

MODELS = ("format", "theme", "audience")


def copy_name_to_dutch(apps, schema_editor):
    for model in MODELS:
        apps.get_model("trainings", model).objects.update(name_nl=F("name"))


def copy_dutch_to_name(apps, schema_editor):
    """Back to one name: the Dutch one (where it was filled)."""
    for model in MODELS:
        apps.get_model("trainings", model).objects.exclude(name_nl__isnull=True).exclude(
            name_nl=""
        ).update(name=F("name_nl"))


class Migration(migrations.Migration):

    dependencies = [
        ('trainings', '0008_sessionday_calendar_sequence'),
    ]

    operations = [
        migrations.AddField(
            model_name='audience',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='naam'),
        ),
        migrations.AddField(
            model_name='audience',
            name='name_nl',
            field=models.CharField(max_length=200, null=True, verbose_name='naam'),
        ),
        migrations.AddField(
            model_name='format',
            name='name_en',
            field=models.CharField(max_length=100, null=True, verbose_name='naam'),
        ),
        migrations.AddField(
            model_name='format',
            name='name_nl',
            field=models.CharField(max_length=100, null=True, verbose_name='naam'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='naam'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_nl',
            field=models.CharField(max_length=200, null=True, verbose_name='naam'),
        ),
        migrations.RunPython(copy_name_to_dutch, copy_dutch_to_name),
    ]
