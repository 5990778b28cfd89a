-- Partition catch-up under load (docs/RELIABILITY.md, "Partition catch-up races with ingest").
--
-- telemetry_ensure_partition moved a day's rows out of the DEFAULT partition and then attached the
-- new partition without holding DEFAULT: a row of that day inserted in between (ingest never
-- stops) made the ATTACH fail, and because every day was made in one transaction, a maintainer
-- that had fallen behind failed the same way on every pass. Now the function locks DEFAULT
-- against writes first (inserts of the day wait until the partition is attached, a few
-- milliseconds per day, then go to it), and the maintainer makes one day per statement, each in
-- its own transaction, so every day made is kept.
CREATE OR REPLACE FUNCTION telemetry_ensure_partition(p_table text, p_day date) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    child text := p_table || '_p' || to_char(p_day, 'YYYYMMDD');
    lower_bound text := to_char(p_day, 'YYYY-MM-DD') || ' 00:00:00+00';
    upper_bound text := to_char(p_day + 1, 'YYYY-MM-DD') || ' 00:00:00+00';
BEGIN
    IF p_table NOT IN ('telemetry_samples', 'meter_readings') THEN
        RAISE EXCEPTION 'not a telemetry table: %', p_table;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('tradingd.telemetry_partitions'));
    IF to_regclass(child) IS NOT NULL THEN
        RETURN false;
    END IF;
    -- Before anything is moved: no row can reach DEFAULT until the partition is attached.
    EXECUTE format('LOCK TABLE %I IN SHARE ROW EXCLUSIVE MODE', p_table || '_default');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', child, p_table);
    EXECUTE format(
        'WITH moved AS (DELETE FROM %I WHERE time >= %L::timestamptz AND time < %L::timestamptz RETURNING *) '
        'INSERT INTO %I SELECT * FROM moved',
        p_table || '_default', lower_bound, upper_bound, child);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
        p_table, child, lower_bound, upper_bound);
    RETURN true;
END
$fn$;
