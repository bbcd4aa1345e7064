"""Rollups become drafts that staff publish as numbered versions (a correction is the next
version, with its reason); waivers record a missing staff score published without; a
region's schedule says when its drafts are made. Published versions are immutable by a
trigger declared on Rollup.Meta."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



class Migration(migrations.Migration):

    dependencies = [
        ('alliances', '0006_photos_stored_without_metadata'),
        ('evaluations', '0004_manual_score_evidence_optional'),
        ('members', '0005_history_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RollupSchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('weekly_dispatch', '周调度'), ('monthly_bulletin', '月通报'), ('quarterly_observation', '季观摩'), ('annual_review', '年考评')], max_length=30, verbose_name='类型')),
                ('cutoff_day', models.PositiveSmallIntegerField(help_text='期间结束后的第几天生成草稿：如月通报填 5，即次月 5 日。', verbose_name='数据截止（期末后第几天）')),
            ],
            options={
                'verbose_name': '通报起草日',
                'verbose_name_plural': '通报起草日',
                'ordering': ['region__code', 'kind'],
            },
        ),
        migrations.CreateModel(
            name='RollupWaiver',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(verbose_name='暂缓理由')),
                ('waived_at', models.DateTimeField(auto_now_add=True, verbose_name='决定时间')),
            ],
            options={
                'verbose_name': '缺项发布说明',
                'verbose_name_plural': '缺项发布说明',
                'ordering': ['alliance__code', 'indicator__order'],
            },
        ),
        migrations.AlterModelOptions(
            name='rollup',
            options={'ordering': ['-period_start', 'kind', 'region__code', '-version'], 'verbose_name': '调度通报', 'verbose_name_plural': '调度通报'},
        ),
        migrations.RemoveConstraint(
            model_name='rollup',
            name='rollup_one_per_kind_period_region',
        ),
        migrations.AddField(
            model_name='rollup',
            name='correction_reason',
            field=models.TextField(blank=True, verbose_name='更正原因'),
        ),
        migrations.AddField(
            model_name='rollup',
            name='published_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='发布时间'),
        ),
        migrations.AddField(
            model_name='rollup',
            name='published_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发布人'),
        ),
        migrations.AddField(
            model_name='rollup',
            name='status',
            field=models.CharField(choices=[('draft', '草稿'), ('published', '已发布')], default='published', max_length=10, verbose_name='状态'),
        ),
        migrations.AddField(
            model_name='rollup',
            name='version',
            field=models.PositiveSmallIntegerField(blank=True, default=1, null=True, verbose_name='版本'),
        ),
        migrations.AddConstraint(
            model_name='rollup',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'draft')), fields=('kind', 'period_start', 'region'), name='rollup_one_draft_per_kind_period_region'),
        ),
        migrations.AddConstraint(
            model_name='rollup',
            constraint=models.UniqueConstraint(fields=('kind', 'period_start', 'region', 'version'), name='rollup_one_version_number'),
        ),
        migrations.AddConstraint(
            model_name='rollup',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'draft'), ('version__isnull', True)), models.Q(('status', 'published'), ('version__gte', 1)), _connector='OR'), name='rollup_published_has_version'),
        ),
        migrations.AddConstraint(
            model_name='rollup',
            constraint=models.CheckConstraint(condition=models.Q(('version__isnull', True), ('version', 1), models.Q(('correction_reason', ''), _negated=True), _connector='OR'), name='rollup_correction_has_reason'),
        ),
        migrations.AddField(
            model_name='rollupschedule',
            name='region',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.region', verbose_name='区域'),
        ),
        migrations.AddField(
            model_name='rollupwaiver',
            name='alliance',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='alliances.alliance', verbose_name='联盟'),
        ),
        migrations.AddField(
            model_name='rollupwaiver',
            name='indicator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='evaluations.indicator', verbose_name='指标'),
        ),
        migrations.AddField(
            model_name='rollupwaiver',
            name='rollup',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='waivers', to='evaluations.rollup', verbose_name='调度通报'),
        ),
        migrations.AddField(
            model_name='rollupwaiver',
            name='waived_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='决定人'),
        ),
        migrations.AddConstraint(
            model_name='rollupschedule',
            constraint=models.UniqueConstraint(fields=('region', 'kind'), name='rollup_schedule_one_per_region_kind'),
        ),
        migrations.AddConstraint(
            model_name='rollupschedule',
            constraint=models.CheckConstraint(condition=models.Q(('cutoff_day__gte', 1), ('cutoff_day__lte', 60)), name='rollup_schedule_cutoff_1_60'),
        ),
        migrations.AddConstraint(
            model_name='rollupwaiver',
            constraint=models.UniqueConstraint(fields=('rollup', 'alliance', 'indicator'), name='rollup_waiver_once'),
        ),
        migrations.AddConstraint(
            model_name='rollupwaiver',
            constraint=models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='rollup_waiver_has_reason'),
        ),
    ]
