from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T14:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL: saving one inspection answer as one function call (one round trip)"

# ``safety.inspections.actions._conduct._store`` on PostgreSQL, in one statement without
# BEGIN/COMMIT: the answer decided by the caller from the answer it read (``p_answer``,
# ``p_version``; both NULL when there was none) is written only if it is still that one.
# Every check comes before the first write, so a refusal writes nothing: the inspection
# held (FOR UPDATE: every answer write holds it first, so a later statement of this
# VOLATILE function, with its own snapshot, sees the item's answer as committed) and still
# open, the client key not taken, the answer unchanged; then the inspection's version + 1
# (due → in progress), the answer, its audit row and the key with the response. Returns 0
# (saved), 1 (inspection closed), 2 (answer changed since it was read), 3 (client key
# taken). A key or an answer taken between the check and the write by a request that does
# not hold the inspection (a key reused for another inspection) raises SQLSTATE 40001, so
# the statement rolls back and the caller reads again.
FUNCTION = """
CREATE OR REPLACE FUNCTION inspection_answer_save(
    p_inspection integer, p_item text, p_answer integer, p_version integer,
    p_answered boolean, p_value_text text, p_value_number numeric, p_out_of_limits boolean,
    p_note text, p_photo_key text, p_by integer, p_now timestamptz,
    p_key text, p_response json,
    a_actor integer, a_label text, a_action text, a_object_type text, a_object_id text,
    a_site integer, a_summary text, a_before jsonb, a_after jsonb, a_at timestamptz
) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM 1 FROM inspection
        WHERE id = p_inspection AND status IN ('due', 'in_progress') FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 1;
    END IF;
    IF p_key IS NOT NULL THEN
        PERFORM 1 FROM inspection_client_key WHERE client_key = p_key;
        IF FOUND THEN
            RETURN 3;
        END IF;
    END IF;
    IF p_answer IS NULL THEN
        PERFORM 1 FROM inspection_answer WHERE inspection = p_inspection AND item_key = p_item;
        IF FOUND THEN
            RETURN 2;
        END IF;
    ELSE
        PERFORM 1 FROM inspection_answer WHERE id = p_answer AND version = p_version FOR UPDATE;
        IF NOT FOUND THEN
            RETURN 2;
        END IF;
    END IF;
    UPDATE inspection SET version = version + 1, status = 'in_progress',
        started_at = coalesce(started_at, p_now), started_by = coalesce(started_by, p_by)
        WHERE id = p_inspection;
    IF p_answer IS NULL THEN
        INSERT INTO inspection_answer (inspection, item_key, answered, value_text,
            value_number, out_of_limits, note, photo_key, answered_by, answered_at, version)
            VALUES (p_inspection, p_item, p_answered, p_value_text, p_value_number,
                p_out_of_limits, p_note, p_photo_key, p_by, p_now, 1)
            ON CONFLICT (inspection, item_key) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'inspection_answer_save: the answer was written meanwhile'
                USING ERRCODE = '40001';
        END IF;
    ELSE
        UPDATE inspection_answer SET answered = p_answered, value_text = p_value_text,
            value_number = p_value_number, out_of_limits = p_out_of_limits, note = p_note,
            photo_key = p_photo_key, answered_by = p_by, answered_at = p_now,
            version = version + 1
            WHERE id = p_answer;
    END IF;
    INSERT INTO audit_event (actor, actor_label, action, object_type, object_id, site_id,
        summary, before, after, created_at)
        VALUES (a_actor, a_label, a_action, a_object_type, a_object_id, a_site, a_summary,
            a_before, a_after, a_at);
    IF p_key IS NOT NULL THEN
        INSERT INTO inspection_client_key (client_key, inspection, kind, response, created_at)
            VALUES (p_key, p_inspection, 'answer', p_response, p_now)
            ON CONFLICT (client_key) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'inspection_answer_save: the client key was taken meanwhile'
                USING ERRCODE = '40001';
        END IF;
    END IF;
    RETURN 0;
END
$$
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="safety", description=DESCRIPTION)

    async def function():
        from facilities import db

        if not db.is_sqlite():  # SQLite runs the same steps in one trip to its writer
            await Table.raw(FUNCTION).run()

    manager.add_raw(function)
    return manager
