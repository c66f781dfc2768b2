"""Django's PostgreSQL backend, with bulk writes cut to fit server-side binding.

With the parameters bound by the server (settings: DATABASE_PREPARED_STATEMENTS), one
statement may carry at most 65 535 of them. Django's backend assumes client-side binding and
sends a bulk_create or bulk_update of any size as one statement, so rebuilding the search words
or loading a large catalogue failed ("number of parameters must be between 0 and 65535").
"""

from django.db.backends.postgresql import base, operations

MAX_BOUND_PARAMETERS = 65_535


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields, objs):
        if not self.connection.settings_dict["OPTIONS"].get("server_side_binding") or not fields:
            return super().bulk_batch_size(fields, objs)
        # bulk_update names each field once but binds two parameters per field and row
        # (WHEN pk = %s THEN %s), so count every field twice: the batches stay well below
        # the limit for both kinds of write.
        return max(MAX_BOUND_PARAMETERS // (2 * len(fields)), 1)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
