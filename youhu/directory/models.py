"""Units (departments, street and community offices), areas, users and roles — and, on a city's deployment,
the districts they belong to (docs/levels.md)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class District(models.Model):
    """A district (区) under the city centre, on a deployment that runs a city with several districts.

    A deployment of one district has no rows here: every unit, area and ticket then has no district, and
    everything works as it did before there were levels. Units and areas without a district are the city's.
    """

    code = models.CharField(max_length=32, unique=True, help_text="行政区划代码，如 440105")
    name = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "区"

    def __str__(self) -> str:
        return self.name

    def centre(self) -> Unit | None:
        """The district's dispatch centre (区指挥中心): where the city dispatches the district's tickets to."""
        return self.units.filter(kind=Unit.Kind.CENTRE, active=True).order_by("code").first()


class Area(models.Model):
    """A street (街道) or a community (社区) of the district."""

    class Kind(models.TextChoices):
        STREET = "street", "街道"
        COMMUNITY = "community", "社区"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    aliases = models.CharField(max_length=255, blank=True, help_text="其他叫法，逗号分隔")
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="areas",
                                 help_text="所属区；空 = 市级或单区部署")
    # Approximate office location, used to derive street shapes when no real boundary is loaded.
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = verbose_name_plural = "区域"

    def __str__(self) -> str:
        return self.name

    @property
    def street(self) -> Area:
        return self.parent if self.kind == self.Kind.COMMUNITY and self.parent else self


class Unit(models.Model):
    """A unit that handles tickets (承办单位), or the dispatch centre itself, as a tree."""

    class Kind(models.TextChoices):
        CENTRE = "centre", "指挥中心"
        DEPARTMENT = "department", "职能部门"
        STREET_OFFICE = "street_office", "街道办"
        COMMUNITY_OFFICE = "community_office", "社区居委会"
        OTHER = "other", "其他单位"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="units",
        help_text="街道办/社区居委会所辖区域",
    )
    phone = models.CharField(max_length=32, blank=True)
    active = models.BooleanField(default=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="units",
                                 help_text="所属区；空 = 市级单位（或单区部署）")

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = verbose_name_plural = "单位"

    def __str__(self) -> str:
        return self.name

    def subtree_ids(self) -> list[int]:
        """This unit and every unit below it."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", "派单员"
    HANDLER = "handler", "承办人"
    UNIT_HEAD = "unit_head", "单位负责人"
    SUPERVISOR = "supervisor", "督办员"
    SERVICE_OFFICER = "service_officer", "首席服务官"
    PROJECT_OFFICE = "project_office", "重点项目办"
    PROJECT_LEADER = "project_leader", "挂点领导"
    ADMIN = "admin", "管理员"


class RoleGrantQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        for grant in created:  # bulk_create sends no signal; the role-change log (youhu.accounts) must see these
            models.signals.post_save.send(sender=self.model, instance=grant, created=True, raw=False,
                                          using=self.db, update_fields=None)
        return created


class RoleGrant(models.Model):
    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=24, choices=Role.choices)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")]
        verbose_name = verbose_name_plural = "角色"

    def __str__(self) -> str:
        return self.get_role_display()


class User(AbstractUser):
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    display_name = models.CharField(max_length=64, blank=True)
    phone = models.CharField(max_length=32, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def roles(self) -> frozenset[str]:
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True)) if self.pk else frozenset()
            if self.is_superuser:
                cached = cached | {Role.ADMIN}
            self._roles_cache = cached
        return cached

    @property
    def district_id(self) -> int | None:
        """The district the user works in (their unit's); None at the city level and on a one-district
        deployment. Each level's staff act on their own level's tickets only (docs/levels.md)."""
        return self.unit.district_id if self.unit_id else None

    @property
    def district(self) -> District | None:
        """The district the user works in (see `district_id`): a district's staff see their own district's
        figures, the city's staff (None) all of them."""
        return self.unit.district if self.district_id is not None else None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles: list[str] | set[str]) -> None:
        self.role_grants.exclude(role__in=roles).delete()
        for role in roles:
            RoleGrant.objects.get_or_create(user=self, role=role)
        self._roles_cache = None
