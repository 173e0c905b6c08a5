# Fewer indexes on the series table: the run index and (run, scope, group, band) are prefixes of others.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0003_month_patches'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='figureseries',
            name='monitoring__run_id_2377c6_idx',
        ),
        migrations.AlterField(
            model_name='figureseries',
            name='run',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='series', to='monitoring.snapshotrun'),
        ),
    ]
