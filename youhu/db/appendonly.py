"""Append-only rows: the base of every audit trail's model (ticket and project events, the role-change log),
and the triggers with which the database refuses to change them too."""

from __future__ import annotations

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        self.model.refuse()

    def delete(self):
        self.model.refuse()


class AppendOnly(models.Model):
    """A log row written once and never changed (the database refuses too, by trigger)."""

    APPEND_ONLY = "events"  # what the refusal calls the rows: "ticket events are append-only"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.refuse()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse()

    @classmethod
    def refuse(cls) -> None:
        raise PermissionError(f"{cls.APPEND_ONLY} are append-only")


def trigger_statements(table: str, message: str) -> dict[str, list[str]]:
    """For a migration: the database refuses UPDATE of `table`'s rows on both engines and DELETE on PostgreSQL
    (SQLite's test runner empties tables with DELETE), as tickets 0002 does for ticket events."""
    return {
        "sqlite": [f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                       BEGIN SELECT RAISE(ABORT, '{message}'); END"""],
        "postgresql": [
            f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '{message}'; END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
        ],
    }
