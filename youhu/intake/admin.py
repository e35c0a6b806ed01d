from django.contrib import admin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("file_name", "channel", "started_at", "total_rows", "created_count", "skipped_count",
                    "rejected_count")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

