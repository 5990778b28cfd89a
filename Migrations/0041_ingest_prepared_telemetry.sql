-- Stores a batch of samples the writer has already prepared (TelemetryWriter): raw rows with no
-- repeated (plant_id, time), and the minute aggregates and latest snapshots it computed from
-- them. When none of the rows was stored before (every batch but a redelivered one), the raw rows
-- go in with a plain INSERT (no conflict check per row) and the aggregates are merged from the
-- writer's few minute rows, instead of PostgreSQL aggregating every row itself: about half of
-- ingest_telemetry's server CPU per row (docs/BENCHMARKS.md, "Ingest"). When some row exists
-- (unique_violation), nothing of the fast path is kept and ingest_telemetry (0002) stores the
-- batch, counting only the rows that are new, exactly as before.
-- Returns how many samples were new.
CREATE FUNCTION ingest_prepared_telemetry(
    r_plant_ids uuid[], r_times timestamptz[], r_consumption double precision[],
    r_fve_power double precision[], r_fve_reg double precision[], r_grid_power double precision[],
    r_invertor_power double precision[], r_soc double precision[], m_plant_ids uuid[],
    m_minutes timestamptz[], m_sample_counts bigint[], m_consumption_count bigint[],
    m_consumption_sum double precision[], m_consumption_min double precision[],
    m_consumption_max double precision[], m_consumption_last double precision[],
    m_consumption_last_time timestamptz[], m_fve_power_count bigint[], m_fve_power_sum double precision[],
    m_fve_power_min double precision[], m_fve_power_max double precision[],
    m_fve_power_last double precision[], m_fve_power_last_time timestamptz[], m_fve_reg_count bigint[],
    m_fve_reg_sum double precision[], m_fve_reg_min double precision[], m_fve_reg_max double precision[],
    m_fve_reg_last double precision[], m_fve_reg_last_time timestamptz[], m_grid_power_count bigint[],
    m_grid_power_sum double precision[], m_grid_power_min double precision[],
    m_grid_power_max double precision[], m_grid_power_last double precision[],
    m_grid_power_last_time timestamptz[], m_invertor_power_count bigint[],
    m_invertor_power_sum double precision[], m_invertor_power_min double precision[],
    m_invertor_power_max double precision[], m_invertor_power_last double precision[],
    m_invertor_power_last_time timestamptz[], m_soc_count bigint[], m_soc_sum double precision[],
    m_soc_min double precision[], m_soc_max double precision[], m_soc_last double precision[],
    m_soc_last_time timestamptz[], l_plant_ids uuid[], l_times timestamptz[],
    l_consumption double precision[], l_fve_power double precision[], l_fve_reg double precision[],
    l_grid_power double precision[], l_invertor_power double precision[], l_soc double precision[]
) RETURNS integer
LANGUAGE plpgsql AS $fn$
BEGIN
    BEGIN
        INSERT INTO telemetry_samples (plant_id, time, consumption, fve_power, fve_reg, grid_power, invertor_power, soc)
        SELECT * FROM unnest(r_plant_ids, r_times, r_consumption, r_fve_power, r_fve_reg, r_grid_power, r_invertor_power, r_soc);
    EXCEPTION WHEN unique_violation THEN
        RETURN ingest_telemetry(r_plant_ids, r_times, r_consumption, r_fve_power, r_fve_reg, r_grid_power, r_invertor_power, r_soc);
    END;

    INSERT INTO telemetry_minutes AS m (
        plant_id, minute, sample_count, consumption_count, consumption_sum, consumption_min, consumption_max,
        consumption_last, consumption_last_time, fve_power_count, fve_power_sum, fve_power_min,
        fve_power_max, fve_power_last, fve_power_last_time, fve_reg_count, fve_reg_sum, fve_reg_min,
        fve_reg_max, fve_reg_last, fve_reg_last_time, grid_power_count, grid_power_sum, grid_power_min,
        grid_power_max, grid_power_last, grid_power_last_time, invertor_power_count, invertor_power_sum,
        invertor_power_min, invertor_power_max, invertor_power_last, invertor_power_last_time, soc_count,
        soc_sum, soc_min, soc_max, soc_last, soc_last_time)
    SELECT * FROM unnest(
        m_plant_ids, m_minutes, m_sample_counts, m_consumption_count, m_consumption_sum, m_consumption_min,
        m_consumption_max, m_consumption_last, m_consumption_last_time, m_fve_power_count, m_fve_power_sum,
        m_fve_power_min, m_fve_power_max, m_fve_power_last, m_fve_power_last_time, m_fve_reg_count,
        m_fve_reg_sum, m_fve_reg_min, m_fve_reg_max, m_fve_reg_last, m_fve_reg_last_time, m_grid_power_count,
        m_grid_power_sum, m_grid_power_min, m_grid_power_max, m_grid_power_last, m_grid_power_last_time,
        m_invertor_power_count, m_invertor_power_sum, m_invertor_power_min, m_invertor_power_max,
        m_invertor_power_last, m_invertor_power_last_time, m_soc_count, m_soc_sum, m_soc_min, m_soc_max,
        m_soc_last, m_soc_last_time)
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
            soc_last_time = greatest(m.soc_last_time, excluded.soc_last_time);

    INSERT INTO telemetry_latest AS l (plant_id, time, consumption, fve_power, fve_reg, grid_power, invertor_power, soc)
    SELECT * FROM unnest(l_plant_ids, l_times, l_consumption, l_fve_power, l_fve_reg, l_grid_power, l_invertor_power, l_soc)
        ON CONFLICT (plant_id) DO UPDATE SET
            time = excluded.time,
            consumption = excluded.consumption,
            fve_power = excluded.fve_power,
            fve_reg = excluded.fve_reg,
            grid_power = excluded.grid_power,
            invertor_power = excluded.invertor_power,
            soc = excluded.soc,
            updated_at = now()
        WHERE excluded.time > l.time;

    RETURN cardinality(r_plant_ids);
END
$fn$;
