-- The history is append-only: the database itself refuses to change or remove an event,
-- whoever asks. (TRUNCATE stays an owner's maintenance tool and is not used by the application.)
CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
    USING ERRCODE = 'P0001', HINT = 'record a new event instead';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER events_append_only
  BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
