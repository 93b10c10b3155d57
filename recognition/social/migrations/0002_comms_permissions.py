from django.contrib.auth.management import create_permissions
from django.db import migrations

# Comms staff approve social posts from the start; an administrator can take the
# permission away from the role, or give it to one person, in the admin.
PERMISSIONS = ["approve_post"]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations run; make them now.
    config = apps.get_app_config("social")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    comms, _ = Group.objects.get_or_create(name="Comms")
    comms.permissions.add(
        *Permission.objects.filter(content_type__app_label="social", codename__in=PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [("social", "0001_initial"), ("council", "0002_staff_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
