"""Every change to what an account may do, made in the admin or by code, goes into the RoleChange log: roles
granted or revoked, the unit it belongs to, its groups and single permissions, its superuser and admin-site
flags. Queryset .update() of users and raw SQL bypass the signals (docs/security.md)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from youhu.directory.models import Role, RoleGrant, Unit, User

from .middleware import current_actor
from .models import RoleChange

Kind, Action = RoleChange.Kind, RoleChange.Action
# The user's own fields the log follows: what each is called in the log, and how a value is shown.
FLAGS = {"is_superuser": Kind.SUPERUSER, "is_staff": Kind.STAFF}
FOLLOWED = {"unit", "unit_id", *FLAGS}
YES_NO = {True: "是", False: "否"}
BEFORE = "_youhu_access_before"  # the followed values as the database held them, set in pre_save


def record(user: User, kind: str, action: str, *, old: str = "", new: str = "", role: str = "") -> None:
    actor = current_actor()
    RoleChange.objects.create(user_pk=user.pk, username=user.username, kind=kind, action=action, role=role,
                              old=old, new=new, by_username=actor.username if actor is not None else "")


# ---------------------------------------------------------------- roles


def _role_label(role: str) -> str:
    return Role(role).label if role in Role.values else role


@receiver(post_save, sender=RoleGrant)
def _granted(sender, instance: RoleGrant, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        record(instance.user, Kind.ROLE, Action.GRANTED, role=instance.role, new=_role_label(instance.role))


@receiver(post_delete, sender=RoleGrant)
def _revoked(sender, instance: RoleGrant, **kwargs) -> None:
    record(instance.user, Kind.ROLE, Action.REVOKED, role=instance.role, old=_role_label(instance.role))


# ---------------------------------------------------------------- unit and flags


def _unit_name(unit_id: int | None) -> str:
    if unit_id is None:
        return ""
    unit = Unit.objects.filter(pk=unit_id).only("name").first()
    return unit.name if unit is not None else f"#{unit_id}"


def _follows(update_fields) -> bool:
    return update_fields is None or bool(FOLLOWED.intersection(update_fields))


@receiver(pre_save, sender=User)
def _remember_access(sender, instance: User, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None or not _follows(update_fields):
        return  # a login's last_login save reads nothing more
    setattr(instance, BEFORE, User.objects.filter(pk=instance.pk).values("unit_id", *FLAGS).first())


@receiver(post_save, sender=User)
def _log_access(sender, instance: User, created: bool, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw or not _follows(update_fields):
        return
    before = instance.__dict__.pop(BEFORE, None) or {"unit_id": None, **dict.fromkeys(FLAGS, False)}
    if before["unit_id"] != instance.unit_id:
        record(instance, Kind.UNIT, Action.CHANGED, old=_unit_name(before["unit_id"]),
               new=_unit_name(instance.unit_id))
    for flag, kind in FLAGS.items():
        now = getattr(instance, flag)
        if before[flag] != now:
            record(instance, kind, Action.GRANTED if now else Action.REVOKED, old=YES_NO[before[flag]],
                   new=YES_NO[now])
    if instance.is_superuser and not before["is_superuser"] and not created:
        end_unverified_sessions(instance.pk)  # a superuser needs a second factor, as the roles below


# ---------------------------------------------------------------- groups and single permissions


def _permission_label(permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


# The user's field for each membership: its kind in the log and how a group or permission is named.
MEMBERSHIPS = {User.groups.through: ("groups", Kind.GROUP, str),
               User.user_permissions.through: ("user_permissions", Kind.PERMISSION, _permission_label)}


def _membership_changed(sender, instance, action: str, reverse: bool, model, pk_set, **kwargs) -> None:
    """Both sides: user.groups.add(group) and group.user_set.add(user) (reverse) alike. A clear is read
    before it happens (pre_clear), while the members are still there to name."""
    field, kind, label = MEMBERSHIPS[sender]
    if action in ("post_add", "post_remove"):
        others = list(model.objects.filter(pk__in=pk_set or ()))
    elif action == "pre_clear":
        others = list(getattr(instance, "user_set" if reverse else field).all())
    else:
        return
    granted = action == "post_add"
    for other in others:
        user, thing = (other, instance) if reverse else (instance, other)
        text = label(thing)
        record(user, kind, Action.GRANTED if granted else Action.REVOKED,
               old="" if granted else text, new=text if granted else "")


for _through in MEMBERSHIPS:
    m2m_changed.connect(_membership_changed, sender=_through, dispatch_uid=f"youhu-access-log-{_through.__name__}")


# ---------------------------------------------------------------- second factor on gaining a role


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
