-- Telemetry and meter ingestion (DESIGN §5).
--
-- Raw rows are keyed by their natural key, so a redelivered or republished sample is a no-op; they
-- are range-partitioned by day (tradingd creates partitions ahead and drops old ones, see
-- telemetry_ensure_partitions / telemetry_drop_partitions_before), and a DEFAULT partition takes
-- whatever has no partition (old or late samples), so an insert never fails for lack of one.
-- No foreign key to plants: the consumer checks the plant before storing, and a per-row FK check
-- would cost every insert.

CREATE TABLE telemetry_samples (
    plant_id       uuid NOT NULL,
    time           timestamptz NOT NULL,
    consumption    double precision,
    fve_power      double precision,
    fve_reg        double precision,
    grid_power     double precision,
    invertor_power double precision,
    soc            double precision,
    PRIMARY KEY (plant_id, time)
) PARTITION BY RANGE (time);
CREATE TABLE telemetry_samples_default PARTITION OF telemetry_samples DEFAULT;

CREATE TABLE meter_readings (
    plant_id uuid NOT NULL,
    meter_id text NOT NULL,
    time     timestamptz NOT NULL,
    energy   double precision NOT NULL,
    PRIMARY KEY (plant_id, meter_id, time)
) PARTITION BY RANGE (time);
CREATE TABLE meter_readings_default PARTITION OF meter_readings DEFAULT;

-- 1-minute aggregates per plant: per field the count of samples that carried it, their sum, min,
-- max, and the value with the latest time (any field may be absent from a sample). Kept longer
-- than raw rows (own retention). Queries roll any 1-60 minute interval up from these. A minute is
-- updated by several batches while it fills: free room in each page lets those updates stay HOT
-- (no new index entry), as for the latest snapshot, which every batch rewrites.
CREATE TABLE telemetry_minutes (
    plant_id     uuid NOT NULL,
    minute       timestamptz NOT NULL,
    sample_count integer NOT NULL,
    consumption_count integer NOT NULL,
    consumption_sum double precision NOT NULL,
    consumption_min double precision,
    consumption_max double precision,
    consumption_last double precision,
    consumption_last_time timestamptz,
    fve_power_count integer NOT NULL,
    fve_power_sum double precision NOT NULL,
    fve_power_min double precision,
    fve_power_max double precision,
    fve_power_last double precision,
    fve_power_last_time timestamptz,
    fve_reg_count integer NOT NULL,
    fve_reg_sum double precision NOT NULL,
    fve_reg_min double precision,
    fve_reg_max double precision,
    fve_reg_last double precision,
    fve_reg_last_time timestamptz,
    grid_power_count integer NOT NULL,
    grid_power_sum double precision NOT NULL,
    grid_power_min double precision,
    grid_power_max double precision,
    grid_power_last double precision,
    grid_power_last_time timestamptz,
    invertor_power_count integer NOT NULL,
    invertor_power_sum double precision NOT NULL,
    invertor_power_min double precision,
    invertor_power_max double precision,
    invertor_power_last double precision,
    invertor_power_last_time timestamptz,
    soc_count integer NOT NULL,
    soc_sum double precision NOT NULL,
    soc_min double precision,
    soc_max double precision,
    soc_last double precision,
    soc_last_time timestamptz,
    PRIMARY KEY (plant_id, minute)
) WITH (fillfactor = 70);

-- 1-minute meter aggregates; the key starts with (plant_id, minute) so that a plant's range query
-- is one index range whatever the number of meters.
CREATE TABLE meter_minutes (
    plant_id         uuid NOT NULL,
    minute           timestamptz NOT NULL,
    meter_id         text NOT NULL,
    reading_count    integer NOT NULL,
    energy_sum       double precision NOT NULL,
    energy_min       double precision,
    energy_max       double precision,
    energy_last      double precision,
    energy_last_time timestamptz,
    PRIMARY KEY (plant_id, minute, meter_id)
);

-- The newest sample of each plant, for telemetry/latest.
CREATE TABLE telemetry_latest (
    plant_id       uuid PRIMARY KEY,
    time           timestamptz NOT NULL,
    consumption    double precision,
    fve_power      double precision,
    fve_reg        double precision,
    grid_power     double precision,
    invertor_power double precision,
    soc            double precision,
    updated_at     timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 50);

-- Stores a batch of samples in one statement: raw rows with conflict-do-nothing (within the batch
-- the first occurrence of a (plant_id, time) wins, as if delivered one by one), and the minute
-- aggregates and latest snapshot updated from exactly the rows inserted, so a duplicate never
-- counts twice. Rows are taken in key order so that concurrent batches lock aggregate rows in
-- the same order. The value with the latest time of a field is the second element of the largest
-- [epoch, value] pair (no per-group sort; the key makes times unique within a plant and minute;
-- a double holds a microsecond epoch exactly enough to keep its order). Returns the number of new samples.
CREATE FUNCTION ingest_telemetry(
    p_plant_ids uuid[],
    p_times timestamptz[],
    p_consumption double precision[],
    p_fve_power double precision[],
    p_fve_reg double precision[],
    p_grid_power double precision[],
    p_invertor_power double precision[],
    p_soc double precision[]
) RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    inserted integer;
BEGIN
    WITH input AS (
        SELECT DISTINCT ON (u.plant_id, u.time) u.*
        FROM unnest(p_plant_ids, p_times, p_consumption, p_fve_power, p_fve_reg, p_grid_power, p_invertor_power, p_soc)
             WITH ORDINALITY AS u(plant_id, time, consumption, fve_power, fve_reg, grid_power, invertor_power, soc, ord)
        ORDER BY u.plant_id, u.time, u.ord
    ), ins AS (
        INSERT INTO telemetry_samples (plant_id, time, consumption, fve_power, fve_reg, grid_power, invertor_power, soc)
        SELECT plant_id, time, consumption, fve_power, fve_reg, grid_power, invertor_power, soc FROM input
        ORDER BY plant_id, time
        ON CONFLICT (plant_id, time) DO NOTHING
        RETURNING *
    ), minutes AS (
        INSERT INTO telemetry_minutes AS m (plant_id, minute, sample_count,
            consumption_count, consumption_sum, consumption_min, consumption_max, consumption_last, consumption_last_time,
            fve_power_count, fve_power_sum, fve_power_min, fve_power_max, fve_power_last, fve_power_last_time,
            fve_reg_count, fve_reg_sum, fve_reg_min, fve_reg_max, fve_reg_last, fve_reg_last_time,
            grid_power_count, grid_power_sum, grid_power_min, grid_power_max, grid_power_last, grid_power_last_time,
            invertor_power_count, invertor_power_sum, invertor_power_min, invertor_power_max, invertor_power_last, invertor_power_last_time,
            soc_count, soc_sum, soc_min, soc_max, soc_last, soc_last_time)
        SELECT plant_id, date_bin('1 minute', time, timestamptz '1970-01-01 00:00:00+00') AS minute, count(*),
            count(consumption), coalesce(sum(consumption), 0), min(consumption), max(consumption),
            (max(ARRAY[date_part('epoch', time), consumption]) FILTER (WHERE consumption IS NOT NULL))[2],
            max(time) FILTER (WHERE consumption IS NOT NULL),
            count(fve_power), coalesce(sum(fve_power), 0), min(fve_power), max(fve_power),
            (max(ARRAY[date_part('epoch', time), fve_power]) FILTER (WHERE fve_power IS NOT NULL))[2],
            max(time) FILTER (WHERE fve_power IS NOT NULL),
            count(fve_reg), coalesce(sum(fve_reg), 0), min(fve_reg), max(fve_reg),
            (max(ARRAY[date_part('epoch', time), fve_reg]) FILTER (WHERE fve_reg IS NOT NULL))[2],
            max(time) FILTER (WHERE fve_reg IS NOT NULL),
            count(grid_power), coalesce(sum(grid_power), 0), min(grid_power), max(grid_power),
            (max(ARRAY[date_part('epoch', time), grid_power]) FILTER (WHERE grid_power IS NOT NULL))[2],
            max(time) FILTER (WHERE grid_power IS NOT NULL),
            count(invertor_power), coalesce(sum(invertor_power), 0), min(invertor_power), max(invertor_power),
            (max(ARRAY[date_part('epoch', time), invertor_power]) FILTER (WHERE invertor_power IS NOT NULL))[2],
            max(time) FILTER (WHERE invertor_power IS NOT NULL),
            count(soc), coalesce(sum(soc), 0), min(soc), max(soc),
            (max(ARRAY[date_part('epoch', time), soc]) FILTER (WHERE soc IS NOT NULL))[2],
            max(time) FILTER (WHERE soc IS NOT NULL)
        FROM ins
        GROUP BY 1, 2
        ORDER BY 1, 2
        ON CONFLICT (plant_id, minute) DO UPDATE SET
            sample_count = m.sample_count + excluded.sample_count,
            consumption_count = m.consumption_count + excluded.consumption_count,
            consumption_sum = m.consumption_sum + excluded.consumption_sum,
            consumption_min = least(m.consumption_min, excluded.consumption_min),
            consumption_max = greatest(m.consumption_max, excluded.consumption_max),
            consumption_last = CASE WHEN m.consumption_last_time IS NULL OR excluded.consumption_last_time > m.consumption_last_time
                THEN excluded.consumption_last ELSE m.consumption_last END,
            consumption_last_time = greatest(m.consumption_last_time, excluded.consumption_last_time),
            fve_power_count = m.fve_power_count + excluded.fve_power_count,
            fve_power_sum = m.fve_power_sum + excluded.fve_power_sum,
            fve_power_min = least(m.fve_power_min, excluded.fve_power_min),
            fve_power_max = greatest(m.fve_power_max, excluded.fve_power_max),
            fve_power_last = CASE WHEN m.fve_power_last_time IS NULL OR excluded.fve_power_last_time > m.fve_power_last_time
                THEN excluded.fve_power_last ELSE m.fve_power_last END,
            fve_power_last_time = greatest(m.fve_power_last_time, excluded.fve_power_last_time),
            fve_reg_count = m.fve_reg_count + excluded.fve_reg_count,
            fve_reg_sum = m.fve_reg_sum + excluded.fve_reg_sum,
            fve_reg_min = least(m.fve_reg_min, excluded.fve_reg_min),
            fve_reg_max = greatest(m.fve_reg_max, excluded.fve_reg_max),
            fve_reg_last = CASE WHEN m.fve_reg_last_time IS NULL OR excluded.fve_reg_last_time > m.fve_reg_last_time
                THEN excluded.fve_reg_last ELSE m.fve_reg_last END,
            fve_reg_last_time = greatest(m.fve_reg_last_time, excluded.fve_reg_last_time),
            grid_power_count = m.grid_power_count + excluded.grid_power_count,
            grid_power_sum = m.grid_power_sum + excluded.grid_power_sum,
            grid_power_min = least(m.grid_power_min, excluded.grid_power_min),
            grid_power_max = greatest(m.grid_power_max, excluded.grid_power_max),
            grid_power_last = CASE WHEN m.grid_power_last_time IS NULL OR excluded.grid_power_last_time > m.grid_power_last_time
                THEN excluded.grid_power_last ELSE m.grid_power_last END,
            grid_power_last_time = greatest(m.grid_power_last_time, excluded.grid_power_last_time),
            invertor_power_count = m.invertor_power_count + excluded.invertor_power_count,
            invertor_power_sum = m.invertor_power_sum + excluded.invertor_power_sum,
            invertor_power_min = least(m.invertor_power_min, excluded.invertor_power_min),
            invertor_power_max = greatest(m.invertor_power_max, excluded.invertor_power_max),
            invertor_power_last = CASE WHEN m.invertor_power_last_time IS NULL OR excluded.invertor_power_last_time > m.invertor_power_last_time
                THEN excluded.invertor_power_last ELSE m.invertor_power_last END,
            invertor_power_last_time = greatest(m.invertor_power_last_time, excluded.invertor_power_last_time),
            soc_count = m.soc_count + excluded.soc_count,
            soc_sum = m.soc_sum + excluded.soc_sum,
            soc_min = least(m.soc_min, excluded.soc_min),
            soc_max = greatest(m.soc_max, excluded.soc_max),
            soc_last = CASE WHEN m.soc_last_time IS NULL OR excluded.soc_last_time > m.soc_last_time
                THEN excluded.soc_last ELSE m.soc_last END,
            soc_last_time = greatest(m.soc_last_time, excluded.soc_last_time)
    ), latest AS (
        INSERT INTO telemetry_latest AS l (plant_id, time, consumption, fve_power, fve_reg, grid_power, invertor_power, soc)
        SELECT DISTINCT ON (plant_id) plant_id, time, consumption, fve_power, fve_reg, grid_power, invertor_power, soc
        FROM ins
        ORDER BY plant_id, time DESC
        ON CONFLICT (plant_id) DO UPDATE SET
            time = excluded.time,
            consumption = excluded.consumption,
            fve_power = excluded.fve_power,
            fve_reg = excluded.fve_reg,
            grid_power = excluded.grid_power,
            invertor_power = excluded.invertor_power,
            soc = excluded.soc,
            updated_at = now()
        WHERE excluded.time > l.time
    )
    SELECT count(*) INTO inserted FROM ins;
    RETURN inserted;
END
$fn$;

-- The same for meter readings: raw rows, then 1-minute energy aggregates per plant and meter.
CREATE FUNCTION ingest_meter_readings(
    p_plant_ids uuid[],
    p_meter_ids text[],
    p_times timestamptz[],
    p_energy double precision[]
) RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    inserted integer;
BEGIN
    WITH input AS (
        SELECT DISTINCT ON (u.plant_id, u.meter_id, u.time) u.*
        FROM unnest(p_plant_ids, p_meter_ids, p_times, p_energy) WITH ORDINALITY AS u(plant_id, meter_id, time, energy, ord)
        ORDER BY u.plant_id, u.meter_id, u.time, u.ord
    ), ins AS (
        INSERT INTO meter_readings (plant_id, meter_id, time, energy)
        SELECT plant_id, meter_id, time, energy FROM input
        ORDER BY plant_id, meter_id, time
        ON CONFLICT (plant_id, meter_id, time) DO NOTHING
        RETURNING *
    ), minutes AS (
        INSERT INTO meter_minutes AS m (plant_id, minute, meter_id, reading_count,
            energy_sum, energy_min, energy_max, energy_last, energy_last_time)
        SELECT plant_id, date_bin('1 minute', time, timestamptz '1970-01-01 00:00:00+00'), meter_id, count(*),
            sum(energy), min(energy), max(energy), (array_agg(energy ORDER BY time DESC))[1], max(time)
        FROM ins
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (plant_id, minute, meter_id) DO UPDATE SET
            reading_count = m.reading_count + excluded.reading_count,
            energy_sum = m.energy_sum + excluded.energy_sum,
            energy_min = least(m.energy_min, excluded.energy_min),
            energy_max = greatest(m.energy_max, excluded.energy_max),
            energy_last = CASE WHEN excluded.energy_last_time > m.energy_last_time
                THEN excluded.energy_last ELSE m.energy_last END,
            energy_last_time = greatest(m.energy_last_time, excluded.energy_last_time)
    )
    SELECT count(*) INTO inserted FROM ins;
    RETURN inserted;
END
$fn$;

-- Partition maintenance. Daily partitions are named <table>_pYYYYMMDD and cover one UTC day.
-- Creating one whose day already has rows in the DEFAULT partition moves those rows first, since
-- PostgreSQL refuses to attach a partition while the default holds rows of its range. One
-- maintainer at a time (replicas share the database): a transaction-level advisory lock.
CREATE FUNCTION telemetry_ensure_partition(p_table text, p_day date) RETURNS boolean
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

-- Creates the partitions of both raw tables for p_first_day and the p_days - 1 days after it;
-- returns how many were created.
CREATE FUNCTION telemetry_ensure_partitions(p_first_day date, p_days integer) RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    created integer := 0;
    day date;
    tbl text;
BEGIN
    FOR i IN 0 .. p_days - 1 LOOP
        day := p_first_day + i;
        FOREACH tbl IN ARRAY ARRAY['telemetry_samples', 'meter_readings'] LOOP
            IF telemetry_ensure_partition(tbl, day) THEN
                created := created + 1;
            END IF;
        END LOOP;
    END LOOP;
    RETURN created;
END
$fn$;

-- Retention of raw rows: drops the daily partitions that end on or before p_cutoff_day and deletes
-- older rows from the DEFAULT partitions. Returns the names of the dropped partitions.
CREATE FUNCTION telemetry_drop_partitions_before(p_cutoff_day date) RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
DECLARE
    child record;
    cutoff text := to_char(p_cutoff_day, 'YYYY-MM-DD') || ' 00:00:00+00';
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('tradingd.telemetry_partitions'));
    FOR child IN
        SELECT c.relname::text AS name
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname IN ('telemetry_samples', 'meter_readings')
          AND c.relname ~ '_p[0-9]{8}$'
          AND to_date(right(c.relname, 8), 'YYYYMMDD') + 1 <= p_cutoff_day
        ORDER BY 1
    LOOP
        EXECUTE format('DROP TABLE %I', child.name);
        RETURN NEXT child.name;
    END LOOP;
    EXECUTE format('DELETE FROM telemetry_samples_default WHERE time < %L::timestamptz', cutoff);
    EXECUTE format('DELETE FROM meter_readings_default WHERE time < %L::timestamptz', cutoff);
END
$fn$;

-- Retention of aggregates (kept longer than raw rows): returns the number of rows deleted.
CREATE FUNCTION telemetry_drop_aggregates_before(p_cutoff timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    deleted bigint;
    meter_deleted bigint;
BEGIN
    DELETE FROM telemetry_minutes WHERE minute < p_cutoff;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    DELETE FROM meter_minutes WHERE minute < p_cutoff;
    GET DIAGNOSTICS meter_deleted = ROW_COUNT;
    RETURN deleted + meter_deleted;
END
$fn$;

