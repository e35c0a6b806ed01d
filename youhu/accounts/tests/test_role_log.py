"""Every change of what an account may do (roles, unit, groups, permissions, superuser and admin-site flags) is
logged with who, when and old -> new; the log is append-only and read-only in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction

from youhu.accounts.models import RoleChange
from youhu.directory.models import RoleGrant

pytestmark = pytest.mark.django_db


def entries(username: str) -> list[tuple[str, str, str]]:
    changes = RoleChange.objects.filter(username=username, kind=RoleChange.Kind.ROLE).order_by("pk")
    return [(c.action, c.role, c.by_username) for c in changes]


def changes(username: str, kind: str) -> list[tuple[str, str, str, str]]:
    return [(c.action, c.old, c.new, c.by_username)
            for c in RoleChange.objects.filter(username=username, kind=kind).order_by("pk")]


def test_changes_made_by_code_are_logged_without_an_actor(district):
    assert entries("roads") == [("granted", "handler", "")]  # make_user's set_roles
    district.handler.set_roles(["unit_head"])
    assert entries("roads")[1:] == [("revoked", "handler", ""), ("granted", "unit_head", "")]
    RoleGrant.objects.bulk_create([RoleGrant(user=district.handler, role="dispatcher")])
    assert entries("roads")[-1] == ("granted", "dispatcher", "")
    change = RoleChange.objects.filter(username="roads").last()
    assert change.user_pk == district.handler.pk and change.at is not None


@pytest.fixture
def admin_client(client, district):
    district.admin.is_staff = district.admin.is_superuser = True
    district.admin.save()
    client.force_login(district.admin)
    return client


def _user_form(user, grants: list[tuple[int | None, str, bool]], **fields) -> dict:
    data = {"username": user.username, "display_name": user.display_name, "is_active": "on",
            "date_joined_0": "2026-10-01", "date_joined_1": "09:00:00", "unit": user.unit_id or "",
            "role_grants-TOTAL_FORMS": str(len(grants)), "role_grants-INITIAL_FORMS": str(sum(1 for g in grants if g[0])),
            "role_grants-MIN_NUM_FORMS": "0", "role_grants-MAX_NUM_FORMS": "1000", **fields}
    for i, (pk, role, delete) in enumerate(grants):
        data.update({f"role_grants-{i}-id": pk or "", f"role_grants-{i}-user": user.pk, f"role_grants-{i}-role": role})
        if delete:
            data[f"role_grants-{i}-DELETE"] = "on"
    return data


def test_changes_made_in_the_admin_name_the_admin(admin_client, district):
    user = district.dispatcher
    grant = user.role_grants.get()
    response = admin_client.post(f"/admin/directory/user/{user.pk}/change/",
                                 _user_form(user, [(grant.pk, "dispatcher", True), (None, "supervisor", False)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(entries("dispatcher")[1:]) == {("revoked", "dispatcher", "admin"), ("granted", "supervisor", "admin")}


def test_the_log_is_read_only_in_the_admin(admin_client, district):
    change = RoleChange.objects.first()
    assert admin_client.get("/admin/accounts/rolechange/").status_code == 200
    assert "roads" in admin_client.get("/admin/accounts/rolechange/").content.decode()
    assert admin_client.get("/admin/accounts/rolechange/add/").status_code == 403
    assert admin_client.post(f"/admin/accounts/rolechange/{change.pk}/change/", {"role": "admin"}).status_code == 403
    assert admin_client.post(f"/admin/accounts/rolechange/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RoleChange.objects.filter(pk=change.pk, role=change.role).exists()


def test_deleting_a_user_logs_the_roles_it_took_along(district):
    district.handler.delete()
    assert entries("roads")[-1] == ("revoked", "handler", "")


def test_role_rows_say_old_and_new_in_words(district):
    district.handler.set_roles(["unit_head"])
    assert changes("roads", "role")[-2:] == [("revoked", "承办人", "", ""), ("granted", "", "单位负责人", "")]


def test_the_unit_a_user_belongs_to_is_logged_old_to_new(district):
    assert changes("roads", "unit") == [("changed", "", "区住房建设和交通局", "")]  # created in it
    district.handler.unit = district.env
    district.handler.save()
    district.handler.unit = None
    district.handler.save(update_fields=["unit"])
    assert changes("roads", "unit")[1:] == [("changed", "区住房建设和交通局", "区生态环境分局", ""),
                                            ("changed", "区生态环境分局", "", "")]


def test_saves_that_change_nothing_followed_write_nothing(district, client):
    before = RoleChange.objects.count()
    district.handler.display_name = "路灯组"
    district.handler.save()
    client.post("/login/", {"username": "roads", "password": "pass-1234"})  # last_login is saved
    assert "_auth_user_id" in client.session
    assert RoleChange.objects.count() == before


def test_groups_and_permissions_are_logged_from_either_side(district):
    night, day = Group.objects.create(name="夜班"), Group.objects.create(name="白班")
    district.handler.groups.add(night)
    day.user_set.add(district.handler, district.env_handler)
    district.handler.groups.remove(night)
    district.handler.groups.clear()
    assert changes("roads", "group") == [("granted", "", "夜班", ""), ("granted", "", "白班", ""),
                                         ("revoked", "夜班", "", ""), ("revoked", "白班", "", "")]
    assert changes("env", "group") == [("granted", "", "白班", "")]
    permission = Permission.objects.get(codename="view_rolechange")
    district.handler.user_permissions.add(permission)
    permission.user_set.clear()
    assert changes("roads", "permission") == [("granted", "", "accounts.view_rolechange", ""),
                                              ("revoked", "accounts.view_rolechange", "", "")]


def test_unit_flags_and_groups_changed_in_the_admin_name_the_admin(admin_client, district):
    user, group = district.dispatcher, Group.objects.create(name="值班长")
    grant = user.role_grants.get()
    form = _user_form(user, [(grant.pk, "dispatcher", False)], unit=district.roads.pk, is_staff="on",
                      is_superuser="on", groups=[group.pk])
    response = admin_client.post(f"/admin/directory/user/{user.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert changes("dispatcher", "unit")[-1] == ("changed", "区指挥中心", "区住房建设和交通局", "admin")
    assert changes("dispatcher", "superuser") == [("granted", "否", "是", "admin")]
    assert changes("dispatcher", "staff") == [("granted", "否", "是", "admin")]
    assert changes("dispatcher", "group") == [("granted", "", "值班长", "admin")]
    assert entries("dispatcher")[1:] == []  # the untouched role wrote nothing
    page = admin_client.get("/admin/accounts/rolechange/?kind=superuser").content.decode()
    assert "超级用户" in page and "dispatcher" in page


def test_becoming_a_superuser_ends_the_sessions_opened_with_a_password_alone(client, district):
    client.post("/login/", {"username": "roads", "password": "pass-1234"})
    assert "_auth_user_id" in client.session
    district.handler.is_superuser = True
    district.handler.save()
    assert client.get("/").status_code == 302  # signed out: the next login asks for a second factor
    assert "_auth_user_id" not in client.session


def test_the_log_cannot_be_changed_or_deleted_by_code(district):
    change = RoleChange.objects.filter(username="roads").first()
    change.role = "admin"
    for attempt in (change.save, change.delete, lambda: RoleChange.objects.update(role="admin"),
                    lambda: RoleChange.objects.filter(pk=change.pk).delete()):
        with pytest.raises(PermissionError, match="append-only"):
            attempt()
    assert RoleChange.objects.get(pk=change.pk).role == "handler"


def test_the_database_refuses_to_change_the_log(district):
    change = RoleChange.objects.filter(username="roads").first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_rolechange SET role = 'admin' WHERE id = %s", [change.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_rolechange WHERE id = %s", [change.pk])
    assert RoleChange.objects.get(pk=change.pk).role == "handler"
