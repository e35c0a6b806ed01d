from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "youhu.tickets"
    label = "tickets"
