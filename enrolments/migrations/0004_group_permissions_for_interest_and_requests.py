"""Give the staff groups their permissions on interest, requests and queued e-mail."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def ensure_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(codenames):
        return Permission.objects.filter(content_type__app_label="enrolments", codename__in=codenames)

    Group.objects.get(name="POI-adviseurs").permissions.add(
        *perms(["view_interest", "change_interest", "delete_interest",
                "view_sessionrequest", "change_sessionrequest",
                "view_queuedemail"])
    )
    Group.objects.get(name="Coördinatoren").permissions.add(*perms(["view_interest"]))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=["POI-adviseurs", "Coördinatoren"]):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="enrolments",
                content_type__model__in=["interest", "sessionrequest", "queuedemail"],
            )
        )


class Migration(migrations.Migration):
    dependencies = [("enrolments", "0003_interest_requests_and_mail_outbox")]

    operations = [migrations.RunPython(grant, revoke)]
