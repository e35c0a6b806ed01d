"""Every role granted or revoked, by the admin or by code, goes into the RoleChange log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from youhu.directory.models import RoleGrant

from .middleware import current_actor
from .models import RoleChange


def record(grant: RoleGrant, action: str) -> None:
    actor = current_actor()
    RoleChange.objects.create(user_pk=grant.user_id, username=grant.user.username, role=grant.role, action=action,
                              by_username=actor.username if actor is not None else "")


@receiver(post_save, sender=RoleGrant)
def _granted(sender, instance: RoleGrant, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        record(instance, RoleChange.Action.GRANTED)


@receiver(post_delete, sender=RoleGrant)
def _revoked(sender, instance: RoleGrant, **kwargs) -> None:
    record(instance, RoleChange.Action.REVOKED)


@receiver(post_save, sender=RoleGrant)
def _sign_out_on_needing_a_second_factor(sender, instance: RoleGrant, created: bool, raw: bool = False,
                                         **kwargs) -> None:
    """A role that needs a second factor is not used through a session opened with a password alone: those
    sessions of the user end, and the next login asks for (or sets up) the code."""
    if created and not raw and instance.role in settings.YOUHU_SECOND_FACTOR_ROLES:
        end_unverified_sessions(instance.user_id)


def end_unverified_sessions(user_pk: int) -> int:
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if data.get(SESSION_KEY) == str(user_pk) and DEVICE_ID_SESSION_KEY not in data:
            session.delete()
            ended += 1
    return ended
