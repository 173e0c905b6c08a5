"""A run is a set of parts that any worker can take (monitoring.runs); the one-month run and its patches go."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0004_series_fewer_indexes"),
    ]

    operations = [
        migrations.DeleteModel(name="FigurePatch"),
        migrations.RemoveField(model_name="snapshotrun", name="base"),
        migrations.RemoveField(model_name="snapshotrun", name="regions_total"),
        migrations.RemoveField(model_name="snapshotrun", name="regions_done"),
        migrations.AddField(model_name="snapshotrun", name="parts", field=models.JSONField(blank=True, default=list, verbose_name="delen")),
        migrations.AddField(model_name="snapshotrun", name="parts_done", field=models.JSONField(blank=True, default=list, verbose_name="delen klaar")),
        migrations.AddField(model_name="figureseries", name="part", field=models.CharField(default="", max_length=20), preserve_default=False),
    ]
