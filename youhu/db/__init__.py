"""The one door for low-level writes (docs/db.md): the write section and the compiled and bulk statements.

Services write inside `with db.writing():` (the write lock, then the transaction: the ordering rule is
kept here, not by each caller) and use these functions where the ORM's per-call cost matters. No module
outside this package takes the lock or writes SQL.
"""

from .bulk import db_datetime, db_json, insert_rows
from .lock import holding, writing
from .queries import counts_by, unclaimed
from .rows import claim_row, increment, insert, insert_records, update_row, update_rows, update_where

__all__ = ["claim_row", "counts_by", "db_datetime", "db_json", "holding", "increment", "insert", "insert_records",
           "insert_rows", "unclaimed", "update_row", "update_rows", "update_where", "writing"]
