"""Groups sent before the double opt-in were placed at once: mark them confirmed, with their
size, so they are never taken for unconfirmed requests and purged."""

from django.db import migrations
from django.db.models import Count, F


def confirm_existing(apps, schema_editor):
    EnrolmentGroup = apps.get_model("enrolments", "EnrolmentGroup")
    groups = EnrolmentGroup.objects.filter(confirmed_at__isnull=True).annotate(
        n=Count("enrolments")
    )
    for group in groups:
        group.size = group.n
        group.confirmed_at = group.created_at
        group.save(update_fields=["size", "confirmed_at"])


def unconfirm(apps, schema_editor):
    # Before this migration every group counted as placed; nothing to undo but the marks.
    EnrolmentGroup = apps.get_model("enrolments", "EnrolmentGroup")
    EnrolmentGroup.objects.filter(confirmed_at=F("created_at")).update(confirmed_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("enrolments", "0010_group_double_opt_in"),
    ]

    operations = [migrations.RunPython(confirm_existing, unconfirm)]
