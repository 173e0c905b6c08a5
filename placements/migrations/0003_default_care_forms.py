from django.db import migrations


def forwards(apps, schema_editor):
    from placements.reference import load_care_forms

    load_care_forms(apps.get_model("placements", "CareForm"))


class Migration(migrations.Migration):
    dependencies = [("placements", "0002_municipalities")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
