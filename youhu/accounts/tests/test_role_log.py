"""Every role granted or revoked is logged with who, when and what; the log is read-only in the admin."""

from __future__ import annotations

import pytest

from youhu.accounts.models import RoleChange
from youhu.directory.models import RoleGrant

pytestmark = pytest.mark.django_db


def entries(username: str) -> list[tuple[str, str, str]]:
    return [(c.action, c.role, c.by_username) for c in RoleChange.objects.filter(username=username).order_by("pk")]


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


def _user_form(user, grants: list[tuple[int | None, str, bool]]) -> dict:
    data = {"username": user.username, "display_name": user.display_name, "is_active": "on",
            "date_joined_0": "2026-10-01", "date_joined_1": "09:00:00", "unit": user.unit_id or "",
            "role_grants-TOTAL_FORMS": str(len(grants)), "role_grants-INITIAL_FORMS": str(sum(1 for g in grants if g[0])),
            "role_grants-MIN_NUM_FORMS": "0", "role_grants-MAX_NUM_FORMS": "1000"}
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
