-- Period rules of the submission contract, in SQL (mirrors goal_councils/periods.py;
-- tests/test_periods.py holds both to one table). Financial years start in April.
CREATE OR REPLACE TEMP MACRO period_kind(p) AS CASE
    WHEN NOT regexp_matches(p, '^\d{4}') OR TRY_CAST(p[1:4] AS INTEGER) NOT BETWEEN 1800 AND 2200 THEN NULL
    WHEN regexp_full_match(p, '\d{4}') THEN 'annual'
    WHEN regexp_full_match(p, '\d{4}-(0[1-9]|1[0-2])') THEN 'monthly'
    WHEN regexp_full_match(p, '\d{4}-Q[1-4]') THEN 'quarterly'
    WHEN regexp_full_match(p, '\d{4}/\d{2}')
         AND TRY_CAST(p[6:7] AS INTEGER) = (TRY_CAST(p[1:4] AS INTEGER) + 1) % 100 THEN 'financial_year'
    WHEN regexp_full_match(p, '\d{4}-\d{2}-\d{2}') AND try_strptime(p, '%Y-%m-%d') IS NOT NULL THEN 'date'
    ELSE NULL
END;

CREATE OR REPLACE TEMP MACRO period_start_of(p, kind) AS CASE kind
    WHEN 'annual' THEN make_date(TRY_CAST(p[1:4] AS INTEGER), 1, 1)
    WHEN 'monthly' THEN make_date(TRY_CAST(p[1:4] AS INTEGER), TRY_CAST(p[6:7] AS INTEGER), 1)
    WHEN 'quarterly' THEN make_date(TRY_CAST(p[1:4] AS INTEGER), 3 * (TRY_CAST(p[7:7] AS INTEGER) - 1) + 1, 1)
    WHEN 'financial_year' THEN make_date(TRY_CAST(p[1:4] AS INTEGER), 4, 1)
    WHEN 'date' THEN CAST(try_strptime(p, '%Y-%m-%d') AS DATE)
END;

CREATE OR REPLACE TEMP MACRO is_period_start(freq, d) AS
    day(d) = 1 AND CASE freq
        WHEN 'monthly' THEN true
        WHEN 'quarterly' THEN month(d) IN (1, 4, 7, 10)
        WHEN 'annual' THEN month(d) = 1
        WHEN 'financial_year' THEN month(d) = 4
        ELSE false
    END;

CREATE OR REPLACE TEMP MACRO period_label_of(freq, d) AS CASE freq
    WHEN 'monthly' THEN strftime(d, '%Y-%m')
    WHEN 'quarterly' THEN strftime(d, '%Y') || '-Q' || CAST(quarter(d) AS VARCHAR)
    WHEN 'annual' THEN strftime(d, '%Y')
    WHEN 'financial_year' THEN strftime(d, '%Y') || '/' || lpad(CAST((year(d) + 1) % 100 AS VARCHAR), 2, '0')
END;
