from django.db import migrations


def forwards(apps, schema_editor):
    from placements.reference import load_municipalities

    load_municipalities(apps.get_model("placements", "Region"), apps.get_model("placements", "Municipality"))


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
