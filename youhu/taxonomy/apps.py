from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "youhu.taxonomy"
    label = "taxonomy"
