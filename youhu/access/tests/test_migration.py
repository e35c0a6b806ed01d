"""Moving ApiKey from intake to access keeps the table, its rows and the admin's content type."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from youhu.access.keys import hash_key, user_for_key
from youhu.access.models import ApiKey

BEFORE = ("intake", "0003_delete_pendingtriage")


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader: the graph's applied set changed


@pytest.mark.django_db(transaction=True)
def test_keys_made_before_the_move_still_work_after_it():
    executor = _migrate([("access", None)])  # back to intake owning ApiKey (intake 0004 is undone too)
    old = executor.loader.project_state([BEFORE]).apps
    user = old.get_model("directory", "User").objects.create(username="script-owner", password="!")
    raw = "yh_0000abcd.secret"
    old.get_model("intake", "ApiKey").objects.create(
        user_id=user.pk, name="网格 App", prefix="yh_0000abcd", key_hash=hash_key(raw),
        created_at="2026-03-02T10:00:00+08:00")
    assert ContentType.objects.filter(app_label="intake", model="apikey").exists()

    _migrate(executor.loader.graph.leaf_nodes())

    key = ApiKey.objects.get()
    assert (key.name, key.prefix, key.user.username) == ("网格 App", "yh_0000abcd", "script-owner")
    assert user_for_key(raw) == key.user
    assert ContentType.objects.get_for_model(ApiKey).app_label == "access"
    assert not ContentType.objects.filter(app_label="intake", model="apikey").exists()
