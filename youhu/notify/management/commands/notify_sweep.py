from datetime import timedelta

from django.core.management.base import BaseCommand

from youhu.notify import delivery
from youhu.notify.tasks import enqueue


class Command(BaseCommand):
    help = "Recover outbox rows left by a dead worker and re-queue late ones (the queue does this every minute)."

    def add_arguments(self, parser):
        parser.add_argument("--stuck-after", type=float, default=None,
                            help="seconds in 'sending' after which an attempt counts as dead")
        parser.add_argument("--late-after", type=float, default=None,
                            help="seconds past due after which a pending row is queued again")

    def handle(self, *args, stuck_after=None, late_after=None, **options):
        ids, retaken, doubtful = delivery.sweep(
            stuck_after=timedelta(seconds=stuck_after) if stuck_after is not None else None,
            late_after=timedelta(seconds=late_after) if late_after is not None else None)
        queued = enqueue([(pk, None) for pk in ids])
        self.stdout.write(f"resent with the same id: {retaken}, set 待核实: {doubtful}, queued: {queued}")
