from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "youhu.workdays"
    label = "workdays"

    def ready(self) -> None:
        # Connected here, not in models.py: the calendar reads the models, so the models must not import it.
        from django.db.models.signals import post_delete, post_save

        from . import calendar
        from .models import CalendarDay, CalendarYear, DistrictDay

        for signal in (post_save, post_delete):
            for model in (CalendarDay, CalendarYear, DistrictDay):
                signal.connect(calendar.calendar_changed, sender=model, dispatch_uid=f"workdays-{model.__name__}")
