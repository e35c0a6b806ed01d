from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "youhu.indicators"
    label = "indicators"
    verbose_name = "评价指标体系"
