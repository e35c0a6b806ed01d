import pytest

from youhu.directory.models import Area, Role, RoleGrant, Unit, User
from youhu.testing.factories import make_area, make_unit, make_user


@pytest.mark.django_db
def test_subtree_ids_holds_the_unit_and_every_unit_below_it():
    street = make_unit("琶洲街道办事处", kind=Unit.Kind.STREET_OFFICE)
    village = make_unit("黄埔村社区居委会", kind=Unit.Kind.COMMUNITY_OFFICE, parent=street)
    grid = make_unit("黄埔村第一网格", kind=Unit.Kind.OTHER, parent=village)
    other = make_unit("琶洲村社区居委会", kind=Unit.Kind.COMMUNITY_OFFICE, parent=street)
    unrelated = make_unit("区城市管理和综合执法局")

    assert sorted(street.subtree_ids()) == sorted([street.pk, village.pk, grid.pk, other.pk])
    assert street.subtree_ids()[0] == street.pk
    assert sorted(village.subtree_ids()) == sorted([village.pk, grid.pk])
    assert grid.subtree_ids() == [grid.pk]
    assert unrelated.pk not in street.subtree_ids()


@pytest.mark.django_db
def test_roles_are_granted_replaced_and_checked():
    user = make_user("zjj", Role.HANDLER, unit=make_unit("区住房和城乡建设局"))
    assert user.roles == {Role.HANDLER}
    assert user.has_role(Role.HANDLER, Role.SUPERVISOR)
    assert not user.has_role(Role.DISPATCHER)

    user.set_roles([Role.UNIT_HEAD, Role.HANDLER])
    assert user.roles == {Role.UNIT_HEAD, Role.HANDLER}
    user.set_roles([Role.UNIT_HEAD])
    fresh = User.objects.get(pk=user.pk)
    assert fresh.roles == {Role.UNIT_HEAD}
    assert RoleGrant.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_a_superuser_is_an_admin_and_a_new_user_has_no_roles():
    boss = User.objects.create_superuser("root", "root@example.org", "x-secret-1")
    assert boss.has_role(Role.ADMIN) and boss.roles == {Role.ADMIN}
    assert User(username="unsaved").roles == frozenset()


@pytest.mark.django_db
def test_one_role_is_granted_once():
    user = make_user("d1", Role.DISPATCHER)
    user.set_roles([Role.DISPATCHER, Role.DISPATCHER])
    assert RoleGrant.objects.filter(user=user, role=Role.DISPATCHER).count() == 1


@pytest.mark.django_db
def test_a_community_belongs_to_its_street():
    street = make_area("琶洲街道")
    community = make_area("黄埔村社区", kind=Area.Kind.COMMUNITY, parent=street)
    assert community.street == street and street.street == street
    assert str(community) == "黄埔村社区"


@pytest.mark.django_db
def test_a_user_works_in_their_units_district_and_the_city_in_none():
    from youhu.testing.factories import City

    city = City()
    assert city.a.supervisor.district == city.a.district and city.b.handler.district == city.b.district
    assert city.supervisor.district is None  # the city's centre: every district
    assert make_user("nobody", "handler").district is None  # no unit at all
