-- The DataJoint-shaped lab schema of datajoint-mysql.sql, in PostgreSQL:
-- the same tables under the same (quoted) names, the same keys, foreign
-- keys and rows, in PostgreSQL's types: enum types for MySQL's enums,
-- timestamp(6) for datetime(6), numeric for decimal and for bigint
-- unsigned, real and double precision, bytea for longblob, jsonb and
-- json. Beyond MySQL's shape: a sequence (the serial "~log".id), a
-- CHECK constraint and an index of its own, which a dump must carry.
--
-- Load it with psql -v ON_ERROR_STOP=1 into an empty database, in its
-- public schema (or the schema search_path names first).

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET TimeZone = 'UTC';

CREATE TYPE "subject_sex" AS ENUM ('M', 'F', 'U');
CREATE TYPE "surgery_procedure" AS ENUM ('implant', 'injection', 'craniotomy');
CREATE TYPE "sorter_name" AS ENUM ('kilosort2.5', 'kilosort4', 'mountainsort5');
CREATE TYPE "unit_label" AS ENUM ('good', 'mua', 'noise');
CREATE TYPE "job_status" AS ENUM ('reserved', 'error', 'ignore');

CREATE TABLE "#species" (
  "species" varchar(32) NOT NULL,
  "common_name" varchar(64) NOT NULL DEFAULT '',
  PRIMARY KEY ("species")
);

CREATE TABLE "subject" (
  "subject_id" varchar(16) NOT NULL,
  "species" varchar(32) NOT NULL
    REFERENCES "#species" ("species") ON UPDATE CASCADE,
  "sex" "subject_sex" NOT NULL DEFAULT 'U',
  "date_of_birth" date,
  "weight" numeric(6,2) CHECK ("weight" > 0),
  "parent_subject_id" varchar(16)
    REFERENCES "subject" ("subject_id") ON UPDATE CASCADE,
  "subject_notes" varchar(255) NOT NULL DEFAULT '',
  PRIMARY KEY ("subject_id")
);

CREATE TABLE "surgery" (
  "subject_id" varchar(16) NOT NULL
    REFERENCES "subject" ("subject_id") ON UPDATE CASCADE,
  "surgery_id" smallint NOT NULL,
  "surgery_date" date NOT NULL,
  "procedure" "surgery_procedure" NOT NULL,
  PRIMARY KEY ("subject_id", "surgery_id")
);

CREATE TABLE "session" (
  "subject_id" varchar(16) NOT NULL
    REFERENCES "subject" ("subject_id") ON UPDATE CASCADE,
  "session_date" date NOT NULL,
  "session_start" timestamp(6) NOT NULL,
  "experimenter" varchar(64) NOT NULL,
  "session_meta" jsonb,
  "rig_temperature" real,
  PRIMARY KEY ("subject_id", "session_date")
);

CREATE TABLE "#probe_type" (
  "probe_type" varchar(32) NOT NULL,
  "n_channels" integer NOT NULL,
  "spacing_um" double precision NOT NULL,
  PRIMARY KEY ("probe_type")
);

CREATE TABLE "_recording" (
  "subject_id" varchar(16) NOT NULL,
  "session_date" date NOT NULL,
  "recording_id" smallint NOT NULL,
  "surgery_id" smallint NOT NULL,
  "probe_type" varchar(32) NOT NULL
    REFERENCES "#probe_type" ("probe_type") ON UPDATE CASCADE,
  "nwb_path" varchar(255),
  "sampling_rate" double precision NOT NULL,
  "duration_s" numeric(10,3) NOT NULL,
  "recorded_at" timestamp(6) NOT NULL,
  "raw_header" bytea,
  PRIMARY KEY ("subject_id", "session_date", "recording_id"),
  FOREIGN KEY ("subject_id", "session_date")
    REFERENCES "session" ("subject_id", "session_date") ON UPDATE CASCADE,
  FOREIGN KEY ("subject_id", "surgery_id")
    REFERENCES "surgery" ("subject_id", "surgery_id") ON UPDATE CASCADE
);
CREATE INDEX "_recording_probe" ON "_recording" ("probe_type");

CREATE TABLE "_recording__channel" (
  "subject_id" varchar(16) NOT NULL,
  "session_date" date NOT NULL,
  "recording_id" smallint NOT NULL,
  "channel" integer NOT NULL,
  "gain" real NOT NULL,
  "impedance_kohm" numeric(8,3),
  "y_um" double precision NOT NULL,
  PRIMARY KEY ("subject_id", "session_date", "recording_id", "channel"),
  FOREIGN KEY ("subject_id", "session_date", "recording_id")
    REFERENCES "_recording" ("subject_id", "session_date", "recording_id")
    ON UPDATE CASCADE
);

CREATE TABLE "__spike_sorting" (
  "subject_id" varchar(16) NOT NULL,
  "session_date" date NOT NULL,
  "recording_id" smallint NOT NULL,
  "sorter_session_date" date NOT NULL,
  "sorter" "sorter_name" NOT NULL,
  "params" json NOT NULL,
  "n_units" integer NOT NULL,
  "sorting_hash" numeric(20,0) NOT NULL,
  "sorted_at" timestamp(6) NOT NULL,
  "quality" double precision,
  "summary" bytea NOT NULL,
  PRIMARY KEY ("subject_id", "session_date", "recording_id",
               "sorter_session_date"),
  FOREIGN KEY ("subject_id", "session_date", "recording_id")
    REFERENCES "_recording" ("subject_id", "session_date", "recording_id")
    ON UPDATE CASCADE,
  FOREIGN KEY ("subject_id", "sorter_session_date")
    REFERENCES "session" ("subject_id", "session_date") ON UPDATE CASCADE
);

CREATE TABLE "__spike_sorting__unit" (
  "subject_id" varchar(16) NOT NULL,
  "session_date" date NOT NULL,
  "recording_id" smallint NOT NULL,
  "sorter_session_date" date NOT NULL,
  "unit_id" integer NOT NULL,
  "peak_channel" integer NOT NULL,
  "label" "unit_label" NOT NULL,
  "firing_rate" double precision NOT NULL,
  "snr" real NOT NULL,
  PRIMARY KEY ("subject_id", "session_date", "recording_id",
               "sorter_session_date", "unit_id"),
  FOREIGN KEY ("subject_id", "session_date", "recording_id",
               "sorter_session_date")
    REFERENCES "__spike_sorting" ("subject_id", "session_date",
                                  "recording_id", "sorter_session_date")
    ON UPDATE CASCADE,
  FOREIGN KEY ("subject_id", "session_date", "recording_id", "peak_channel")
    REFERENCES "_recording__channel" ("subject_id", "session_date",
                                      "recording_id", "channel")
    ON UPDATE CASCADE
);

CREATE TABLE "~log" (
  "timestamp" timestamptz NOT NULL DEFAULT now(),
  "id" serial NOT NULL,
  "version" varchar(12) NOT NULL,
  "user" varchar(255) NOT NULL,
  "host" varchar(255) NOT NULL DEFAULT '',
  "event" varchar(255) NOT NULL DEFAULT '',
  PRIMARY KEY ("timestamp")
);

CREATE TABLE "~jobs" (
  "table_name" varchar(255) NOT NULL,
  "key_hash" char(32) NOT NULL,
  "status" "job_status" NOT NULL,
  "key" bytea,
  "error_message" varchar(2047) NOT NULL DEFAULT '',
  "error_stack" bytea,
  "user" varchar(255) NOT NULL DEFAULT '',
  "host" varchar(255) NOT NULL DEFAULT '',
  "pid" bigint NOT NULL DEFAULT 0,
  "connection_id" numeric(20,0) NOT NULL DEFAULT 0,
  "timestamp" timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY ("table_name", "key_hash")
);

-- The rows, as datajoint-mysql.sql makes them.
INSERT INTO "#species" VALUES
  ('Mus musculus', 'mouse'), ('Rattus norvegicus', 'rat'),
  ('Danio rerio', 'zebrafish'), ('Callithrix jacchus', 'marmoset');

INSERT INTO "subject"
SELECT 'm' || n,
       CASE WHEN n % 5 = 0 THEN 'Rattus norvegicus' ELSE 'Mus musculus' END,
       (ARRAY['M', 'F', 'U'])[1 + n % 3]::"subject_sex",
       CASE WHEN n % 11 <> 0 THEN date '2023-01-01' + 3 * n END,
       CASE WHEN n % 13 <> 0 THEN 20 + n * 0.35 END,
       CASE WHEN n > 7 THEN 'm' || (n - 7) END,
       CASE WHEN n = 1
            THEN 'O''Brien''s "first" mouse \ naïve 🐭, tab:	end'
            ELSE '' END
FROM generate_series(1, 40) n ORDER BY n;

INSERT INTO "surgery"
SELECT s."subject_id", k,
       date '2023-06-01' + 2 * k + substr(s."subject_id", 2)::integer,
       (CASE WHEN k = 1 THEN 'implant' ELSE 'injection' END)::"surgery_procedure"
FROM "subject" s, generate_series(1, 2) k;

INSERT INTO "session"
SELECT s."subject_id",
       date '2024-01-01' + 7 * k + substr(s."subject_id", 2)::integer,
       timestamp '2024-01-01 09:30:00'
         + (7 * k + substr(s."subject_id", 2)::integer) * interval '1 day'
         + (250000 + 1001 * k) * interval '1 microsecond',
       (ARRAY['ana', 'bea', 'céline'])[1 + k % 3],
       CASE WHEN k <> 4 THEN jsonb_build_object('rig', k, 'task', 'go/no-go',
                                                'note', 'séance ✓') END,
       CASE WHEN k <> 3 THEN 20 + k / 4.0 END
FROM "subject" s, generate_series(1, 4) k;

INSERT INTO "#probe_type" VALUES
  ('neuropixels 1.0', 384, 20), ('neuropixels 2.0', 384, 15),
  ('tetrode', 4, 12.5), ('utah', 96, 400);

INSERT INTO "_recording"
SELECT e."subject_id", e."session_date", r, 1,
       CASE WHEN r = 1 THEN 'neuropixels 1.0'
            WHEN e."rig_temperature" IS NULL THEN 'tetrode'
            ELSE 'neuropixels 2.0' END,
       CASE WHEN NOT (r = 2 AND e."rig_temperature" IS NULL)
            THEN 'raw/' || e."subject_id" || '/' || e."session_date"
                 || '_r' || r || '.nwb' END,
       CASE WHEN r = 1 THEN 30000 ELSE 2500.5 END,
       600 + r * 0.125,
       e."session_start" + (r * 1000 + 1) * interval '1 microsecond',
       CASE WHEN e."subject_id" = 'm1' AND r = 1
            THEN '\x00275c0a0d1a22ff00'::bytea
            ELSE sha256(convert_to(e."subject_id" || e."session_date" || r,
                                   'UTF8')) END
FROM "session" e, generate_series(1, 2) r;

INSERT INTO "_recording__channel"
SELECT c."subject_id", c."session_date", c."recording_id", k - 1,
       0.5 + k / 8.0,
       CASE WHEN k <> 4 THEN 100 + k * 12.5 END,
       k * 20.1
FROM "_recording" c, generate_series(1, 4) k;

INSERT INTO "__spike_sorting"
SELECT c."subject_id", c."session_date", c."recording_id",
       (SELECT min(e."session_date") FROM "session" e
        WHERE e."subject_id" = c."subject_id"),
       (ARRAY['kilosort2.5', 'kilosort4', 'mountainsort5'])
         [1 + (substr(c."subject_id", 2)::integer + c."recording_id") % 3]
         ::"sorter_name",
       json_build_object('threshold', 6 + c."recording_id", 'car', true),
       3,
       CASE WHEN c."subject_id" = 'm1' AND c."recording_id" = 1
                 AND c."session_date" = '2024-01-09'
            THEN 18446744073709551615
            ELSE 9223372036854775808
                 + substr(c."subject_id", 2)::integer * 1000
                 + extract(doy FROM c."session_date") * 10
                 + c."recording_id" END,
       c."recorded_at" + interval '1 day',
       CASE WHEN NOT (c."recording_id" = 2 AND c."nwb_path" IS NULL)
            THEN 1.0 / (substr(c."subject_id", 2)::integer
                        + c."recording_id") END,
       sha224(convert_to(coalesce(c."nwb_path", ''), 'UTF8'))
FROM "_recording" c;
UPDATE "__spike_sorting" SET "summary" = ''::bytea
  WHERE "subject_id" = 'm2' AND "recording_id" = 1;

INSERT INTO "__spike_sorting__unit"
SELECT s."subject_id", s."session_date", s."recording_id",
       s."sorter_session_date", u, (u * 3) % 4,
       (ARRAY['good', 'mua', 'noise'])[u]::"unit_label",
       u * 2.75 + s."recording_id",
       ((substr(s."subject_id", 2)::integer * 7 + u * 3 + s."recording_id")
        % 20) / 2.0
FROM "__spike_sorting" s, generate_series(1, 3) u;

INSERT INTO "~log" ("timestamp", "version", "user", "host", "event")
SELECT timestamptz '2024-01-01 00:00:00+00' + n * 61 * interval '1 second',
       '0.14.3', 'quire@127.0.0.1', 'rig-1', 'Declared "lab"."t' || n || '"'
FROM generate_series(1, 30) n;

INSERT INTO "~jobs"
SELECT '__spike_sorting', md5(n::text),
       (ARRAY['reserved', 'error', 'ignore'])[1 + n % 3]::"job_status",
       sha256(convert_to(n::text, 'UTF8')),
       CASE WHEN n % 3 = 1 THEN 'KeyError: ''x''' ELSE '' END,
       CASE WHEN n % 3 = 1 THEN '\x0001025c27'::bytea END,
       'quire@127.0.0.1', 'rig-2', 4000 + n, n,
       timestamptz '2024-02-01 12:00:00+00' + n * interval '1 second'
FROM generate_series(1, 20) n;
