"""Create the two staff groups with their permissions (see README, "Rollen")."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADVISERS = "POI-adviseurs"
COORDINATORS = "Coördinatoren"

TRAINING_MODELS = [
    "provider", "audience", "format", "theme", "course", "programmepart", "price",
    "location", "session", "sessionday", "profile", "learningpath", "learningpathstep",
    "resource",
]


def ensure_permissions(apps):
    # Permissions are normally created after all migrations; groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def perms(Permission, app_label, models, actions):
    codenames = [f"{action}_{model}" for model in models for action in actions]
    found = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    missing = set(codenames) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Missing permissions: {sorted(missing)}")
    return found


def create_groups(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    all_actions = ("add", "change", "delete", "view")

    advisers, _ = Group.objects.get_or_create(name=ADVISERS)
    advisers.permissions.add(
        *perms(Permission, "trainings", TRAINING_MODELS, all_actions),
        *perms(Permission, "enrolments", ["enrolment"], ("add", "change", "view")),
        Permission.objects.get(content_type__app_label="enrolments", codename="export_enrolments"),
    )

    coordinators, _ = Group.objects.get_or_create(name=COORDINATORS)
    coordinators.permissions.add(
        *perms(Permission, "trainings", ["course", "session", "location"], ("view",)),
        *perms(Permission, "enrolments", ["enrolment"], ("view",)),
        Permission.objects.get(content_type__app_label="enrolments", codename="export_enrolments"),
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[ADVISERS, COORDINATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrolments", "0001_initial"),
        ("trainings", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
