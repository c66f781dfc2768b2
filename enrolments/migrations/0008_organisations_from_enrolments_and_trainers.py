"""Register the organisations people already enrolled for, add the Trainers group and give
the staff groups their permissions on organisations, group enrolments and attendance."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TRAINERS = "Trainers"


def ensure_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def forwards(apps, schema_editor):
    Enrolment = apps.get_model("enrolments", "Enrolment")
    Organisation = apps.get_model("enrolments", "Organisation")
    names = {}
    for key, name in Enrolment.objects.order_by("created_at").values_list(
        "organisation_key", "organisation"
    ):
        if key:
            names[key] = name  # the most recent spelling wins
    Organisation.objects.bulk_create(
        [Organisation(key=key, name=name) for key, name in names.items()],
        ignore_conflicts=True,
    )

    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(codenames):
        return Permission.objects.filter(content_type__app_label="enrolments", codename__in=codenames)

    Group.objects.get(name="POI-adviseurs").permissions.add(
        *perms([
            "view_organisation", "add_organisation", "change_organisation",
            "view_enrolmentgroup",
            "view_attendance", "add_attendance", "change_attendance", "mark_attendance",
        ])
    )
    Group.objects.get(name="Coördinatoren").permissions.add(
        *perms(["view_organisation", "view_enrolmentgroup", "view_attendance"])
    )
    trainers, _ = Group.objects.get_or_create(name=TRAINERS)
    trainers.permissions.add(*perms(["mark_attendance"]))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name=TRAINERS).delete()
    for group in Group.objects.filter(name__in=["POI-adviseurs", "Coördinatoren"]):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="enrolments",
                content_type__model__in=["organisation", "enrolmentgroup", "attendance"],
            )
        )


class Migration(migrations.Migration):
    dependencies = [("enrolments", "0007_organisations_groups_attendance_costs")]

    operations = [migrations.RunPython(forwards, backwards)]
