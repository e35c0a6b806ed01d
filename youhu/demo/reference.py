"""Load the demo district's reference data: areas, units, the category tree with its routing, users.

Every row is keyed by a natural key (area/unit code, category path, username) and only created when
missing, so loading twice creates nothing and never overwrites what an admin changed since.
"""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.hashers import make_password
from django.db import transaction

from youhu.directory.models import Area, RoleGrant, Unit, User
from youhu.taxonomy.loaders import TAXONOMY_CSV, load_taxonomy
from youhu.taxonomy.models import Category

from . import district as d


def load_reference() -> Counter:
    """Create what is missing of the demo district; return how many of each kind were created."""
    created: Counter = Counter()
    with transaction.atomic():
        _load_areas(created)
        _load_units(created)
        created["categories"] += load_taxonomy(TAXONOMY_CSV).created
        _route_categories(created)
        _load_users(created)
    return created


def _get_or_create(model, counter: Counter, label: str, **kwargs):
    obj, made = model.objects.get_or_create(**kwargs)
    counter[label] += int(made)
    return obj


def _load_areas(created: Counter) -> None:
    for street in d.STREETS:
        area = _get_or_create(Area, created, "streets", code=street.code, defaults={
            "name": street.name, "kind": Area.Kind.STREET, "aliases": ",".join(street.aliases),
            "lon": street.lon, "lat": street.lat,
        })
        for index, (name, lon, lat) in enumerate(street.communities):
            _get_or_create(Area, created, "communities", code=street.community_code(index), defaults={
                "name": name, "kind": Area.Kind.COMMUNITY, "parent": area,
                "aliases": name.removesuffix("社区"), "lon": lon, "lat": lat,
            })


def _load_units(created: Counter) -> None:
    _get_or_create(Unit, created, "units", code=d.CENTRE_CODE,
                   defaults={"name": d.CENTRE_NAME, "kind": Unit.Kind.CENTRE, "phone": "020-12345"})
    for dep in d.DEPARTMENTS:
        _get_or_create(Unit, created, "units", code=d.department_code(dep.slug), defaults={
            "name": dep.name, "kind": Unit.Kind.OTHER if dep.external else Unit.Kind.DEPARTMENT,
        })
    areas = {a.code: a for a in Area.objects.filter(code__startswith=str(d.DISTRICT_ADCODE))}
    for street in d.STREETS:
        office = _get_or_create(Unit, created, "units", code=d.street_office_code(street), defaults={
            "name": f"{street.name}办事处", "kind": Unit.Kind.STREET_OFFICE, "area": areas[street.code],
        })
        for index, (name, _lon, _lat) in enumerate(street.communities):
            code = street.community_code(index)
            _get_or_create(Unit, created, "units", code=d.community_office_code(code), defaults={
                "name": f"{name}居委会", "kind": Unit.Kind.COMMUNITY_OFFICE, "parent": office,
                "area": areas[code],
            })


def _route_categories(created: Counter) -> None:
    """Give the routed categories their default unit and local flag, unless an admin already did."""
    units = {u.code: u for u in Unit.objects.filter(code__startswith="D-")}
    by_path = {c.path: c for c in Category.objects.filter(path__in=[*d.ROUTES, *d.LOCAL_CATEGORIES])}
    for path, slug in d.ROUTES.items():
        category = by_path.get(path)
        if category is not None and category.default_unit_id is None:
            category.default_unit = units[d.department_code(slug)]
            category.save(update_fields=["default_unit"])
            created["routes"] += 1
    for path in d.LOCAL_CATEGORIES:
        category = by_path.get(path)
        if category is not None and not category.is_local:
            category.is_local = True
            category.save(update_fields=["is_local"])
            created["local_categories"] += 1


def _load_users(created: Counter) -> None:
    units = {u.code: u for u in Unit.objects.all()}
    wanted = d.demo_users()
    existing = set(User.objects.filter(username__in=[u.username for u in wanted]).values_list("username", flat=True))
    # One hash for all: hashing is deliberately slow, and these are published demo passwords anyway.
    demo_hash = make_password(d.DEMO_PASSWORD) if len(existing) < len(wanted) else ""
    for spec in wanted:
        if spec.username in existing:
            continue
        user = User.objects.create(username=spec.username, password=demo_hash, unit=units[spec.unit],
                                   display_name=spec.display_name)
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in spec.roles])
        created["users"] += 1
    if not User.objects.filter(username=d.ADMIN_USERNAME).exists():
        admin = User.objects.create_superuser(d.ADMIN_USERNAME, "admin@example.org", d.ADMIN_PASSWORD,
                                              unit=units[d.CENTRE_CODE], display_name="系统管理员")
        RoleGrant.objects.create(user=admin, role="admin")
        created["users"] += 1
