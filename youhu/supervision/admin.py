from django.contrib import admin

from .models import RankingWeights, ReplyCheck


@admin.register(RankingWeights)
class RankingWeightsAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "min_volume", "updated_at")


@admin.register(ReplyCheck)
class ReplyCheckAdmin(admin.ModelAdmin):
    list_display = ("ticket", "score", "flagged", "checked_at")
    list_filter = ("flagged",)
    raw_id_fields = ("ticket",)
