import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import invoices.models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('orders', '0010_choice_labels_of_other_apps'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Invoice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('normal', '普通发票'), ('special', '增值税专用发票')], max_length=16, verbose_name='发票类型')),
                ('title_type', models.CharField(choices=[('personal', '个人'), ('company', '单位')], max_length=12, verbose_name='抬头类型')),
                ('title', models.CharField(max_length=100, verbose_name='发票抬头')),
                ('tax_id', models.CharField(blank=True, max_length=20, verbose_name='纳税人识别号')),
                ('address', models.CharField(blank=True, max_length=200, verbose_name='地址')),
                ('phone', models.CharField(blank=True, max_length=30, verbose_name='电话')),
                ('bank', models.CharField(blank=True, max_length=100, verbose_name='开户行')),
                ('account', models.CharField(blank=True, max_length=40, verbose_name='账号')),
                ('email', models.EmailField(max_length=254, verbose_name='接收邮箱')),
                ('amount_fen', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='开票金额（分）')),
                ('status', models.CharField(choices=[('requested', '待开票'), ('issued', '已开票'), ('confirmed', '已确认'), ('rejected', '被退回'), ('withdrawn', '已撤销')], default='requested', max_length=16, verbose_name='状态')),
                ('medium', models.CharField(blank=True, choices=[('electronic', '电子发票'), ('paper', '纸质发票')], max_length=12, verbose_name='开具方式')),
                ('number', models.CharField(blank=True, max_length=20, verbose_name='发票号码')),
                ('file', models.FileField(blank=True, storage=invoices.models.invoice_storage, upload_to='invoices/%Y/%m/', verbose_name='发票文件')),
                ('original_name', models.CharField(blank=True, max_length=200)),
                ('content_type', models.CharField(blank=True, max_length=50)),
                ('size', models.PositiveIntegerField(blank=True, null=True)),
                ('reject_reason', models.CharField(blank=True, max_length=200, verbose_name='退回理由')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='申请时间')),
                ('issued_at', models.DateTimeField(blank=True, null=True, verbose_name='开票时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invoices', to='orders.order')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('suborder', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invoices', to='orders.suborder', verbose_name='子订单')),
            ],
            options={
                'verbose_name': '发票',
                'verbose_name_plural': '发票',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['status', 'created_at'], name='invoice_status_created')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'withdrawn'), _negated=True), fields=('suborder',), name='invoice_one_active_per_suborder')],
            },
        ),
        migrations.CreateModel(
            name='InvoiceStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=30, verbose_name='操作')),
                ('from_status', models.CharField(blank=True, max_length=16, verbose_name='原状态')),
                ('to_status', models.CharField(max_length=16, verbose_name='新状态')),
                ('actor_role', models.CharField(max_length=12, verbose_name='身份')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='说明')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('invoice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='invoices.invoice')),
            ],
            options={
                'ordering': ['at', 'pk'],
            },
        ),
    ]
