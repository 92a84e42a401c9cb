-- A DataJoint-shaped lab schema for MySQL and MariaDB, made by plain SQL
-- (no DataJoint): one database is one schema, and the tables are named
-- and declared as DataJoint declares them.
--
--   `#species`               lookup
--   subject                  manual; parent_subject_id -> subject (a
--                            self-reference, NULL for founders)
--   surgery                  manual, key subject_id + surgery_id
--   session                  manual, composite key subject_id +
--                            session_date
--   `#probe_type`            lookup
--   `_recording`             imported: session key + recording_id; its
--                            implant surgery (subject_id, surgery_id)
--                            is a second path to subject (a diamond);
--                            nwb_path is a file column (relative paths)
--   `_recording__channel`    part table of _recording
--   `__spike_sorting`        computed from a recording, with a projected
--                            key: -> session.proj(sorter_session_date=
--                            'session_date'), a composite foreign key
--                            whose child columns have other names
--   `__spike_sorting__unit`  part table of __spike_sorting; its
--                            peak_channel -> _recording__channel.channel
--                            (renamed again)
--   `~log`, `~jobs`          DataJoint's own tables, with rows; no
--                            foreign keys
--
-- Rows: 40 subjects (m1..m40; m<i>'s parent is m<i-7>), 2 surgeries and
-- 4 sessions each, 2 recordings a session (one in eight with no file),
-- 4 channels a recording, a sorting a recording (sorted with the
-- subject's first session's parameters) and 3 units a sorting: about
-- 3,200 rows, so that any slice of a few subjects is a strict subset.
-- Values are derived from row numbers (nothing random): every run makes
-- the same database. The odd values sit in fixed rows: m1 and its first
-- recording hold quotes, backslashes, non-ASCII text and bytes 00 27 5C;
-- sorting_hash reaches 18446744073709551615.

SET NAMES utf8mb4;
SET time_zone = '+00:00';

CREATE TABLE `#species` (
  `species` varchar(32) NOT NULL COMMENT 'species name',
  `common_name` varchar(64) NOT NULL DEFAULT '' COMMENT '',
  PRIMARY KEY (`species`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='species';

CREATE TABLE `subject` (
  `subject_id` varchar(16) NOT NULL COMMENT '',
  `species` varchar(32) NOT NULL COMMENT 'species name',
  `sex` enum('M','F','U') NOT NULL DEFAULT 'U' COMMENT '',
  `date_of_birth` date DEFAULT NULL COMMENT '',
  `weight` decimal(6,2) DEFAULT NULL COMMENT 'grams',
  `parent_subject_id` varchar(16) DEFAULT NULL COMMENT 'mother',
  `subject_notes` varchar(255) NOT NULL DEFAULT '' COMMENT '',
  PRIMARY KEY (`subject_id`),
  KEY `species` (`species`),
  KEY `parent_subject_id` (`parent_subject_id`),
  CONSTRAINT `subject_ibfk_1` FOREIGN KEY (`species`)
    REFERENCES `#species` (`species`) ON UPDATE CASCADE,
  CONSTRAINT `subject_ibfk_2` FOREIGN KEY (`parent_subject_id`)
    REFERENCES `subject` (`subject_id`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='experimental animal';

CREATE TABLE `surgery` (
  `subject_id` varchar(16) NOT NULL COMMENT '',
  `surgery_id` tinyint(3) unsigned NOT NULL COMMENT '',
  `surgery_date` date NOT NULL COMMENT '',
  `procedure` enum('implant','injection','craniotomy') NOT NULL COMMENT '',
  PRIMARY KEY (`subject_id`,`surgery_id`),
  CONSTRAINT `surgery_ibfk_1` FOREIGN KEY (`subject_id`)
    REFERENCES `subject` (`subject_id`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='';

CREATE TABLE `session` (
  `subject_id` varchar(16) NOT NULL COMMENT '',
  `session_date` date NOT NULL COMMENT '',
  `session_start` datetime(6) NOT NULL COMMENT '',
  `experimenter` varchar(64) NOT NULL COMMENT '',
  `session_meta` json DEFAULT NULL COMMENT '',
  `rig_temperature` float DEFAULT NULL COMMENT 'Celsius',
  PRIMARY KEY (`subject_id`,`session_date`),
  CONSTRAINT `session_ibfk_1` FOREIGN KEY (`subject_id`)
    REFERENCES `subject` (`subject_id`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='';

CREATE TABLE `#probe_type` (
  `probe_type` varchar(32) NOT NULL COMMENT '',
  `n_channels` int(10) unsigned NOT NULL COMMENT '',
  `spacing_um` double NOT NULL COMMENT '',
  PRIMARY KEY (`probe_type`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='';

CREATE TABLE `_recording` (
  `subject_id` varchar(16) NOT NULL COMMENT '',
  `session_date` date NOT NULL COMMENT '',
  `recording_id` tinyint(3) unsigned NOT NULL COMMENT '',
  `surgery_id` tinyint(3) unsigned NOT NULL COMMENT 'the implant',
  `probe_type` varchar(32) NOT NULL COMMENT '',
  `nwb_path` varchar(255) DEFAULT NULL COMMENT 'relative to the data root',
  `sampling_rate` double NOT NULL COMMENT 'Hz',
  `duration_s` decimal(10,3) NOT NULL COMMENT '',
  `recorded_at` datetime(6) NOT NULL COMMENT '',
  `raw_header` longblob DEFAULT NULL COMMENT '',
  PRIMARY KEY (`subject_id`,`session_date`,`recording_id`),
  KEY `subject_id` (`subject_id`,`surgery_id`),
  KEY `probe_type` (`probe_type`),
  CONSTRAINT `_recording_ibfk_1` FOREIGN KEY (`subject_id`, `session_date`)
    REFERENCES `session` (`subject_id`, `session_date`) ON UPDATE CASCADE,
  CONSTRAINT `_recording_ibfk_2` FOREIGN KEY (`subject_id`, `surgery_id`)
    REFERENCES `surgery` (`subject_id`, `surgery_id`) ON UPDATE CASCADE,
  CONSTRAINT `_recording_ibfk_3` FOREIGN KEY (`probe_type`)
    REFERENCES `#probe_type` (`probe_type`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='';

CREATE TABLE `_recording__channel` (
  `subject_id` varchar(16) NOT NULL COMMENT '',
  `session_date` date NOT NULL COMMENT '',
  `recording_id` tinyint(3) unsigned NOT NULL COMMENT '',
  `channel` smallint(5) unsigned NOT NULL COMMENT '',
  `gain` float NOT NULL COMMENT '',
  `impedance_kohm` decimal(8,3) DEFAULT NULL COMMENT '',
  `y_um` double NOT NULL COMMENT '',
  PRIMARY KEY (`subject_id`,`session_date`,`recording_id`,`channel`),
  CONSTRAINT `_recording__channel_ibfk_1`
    FOREIGN KEY (`subject_id`, `session_date`, `recording_id`)
    REFERENCES `_recording` (`subject_id`, `session_date`, `recording_id`)
    ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='';

CREATE TABLE `__spike_sorting` (
  `subject_id` varchar(16) NOT NULL COMMENT '',
  `session_date` date NOT NULL COMMENT '',
  `recording_id` tinyint(3) unsigned NOT NULL COMMENT '',
  `sorter_session_date` date NOT NULL COMMENT '',
  `sorter` enum('kilosort2.5','kilosort4','mountainsort5') NOT NULL COMMENT '',
  `params` json NOT NULL COMMENT '',
  `n_units` smallint(5) unsigned NOT NULL COMMENT '',
  `sorting_hash` bigint(20) unsigned NOT NULL COMMENT '',
  `sorted_at` datetime(6) NOT NULL COMMENT '',
  `quality` double DEFAULT NULL COMMENT '',
  `summary` longblob NOT NULL COMMENT '',
  PRIMARY KEY (`subject_id`,`session_date`,`recording_id`,`sorter_session_date`),
  KEY `subject_id` (`subject_id`,`sorter_session_date`),
  CONSTRAINT `__spike_sorting_ibfk_1`
    FOREIGN KEY (`subject_id`, `session_date`, `recording_id`)
    REFERENCES `_recording` (`subject_id`, `session_date`, `recording_id`)
    ON UPDATE CASCADE,
  CONSTRAINT `__spike_sorting_ibfk_2`
    FOREIGN KEY (`subject_id`, `sorter_session_date`)
    REFERENCES `session` (`subject_id`, `session_date`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='';

CREATE TABLE `__spike_sorting__unit` (
  `subject_id` varchar(16) NOT NULL COMMENT '',
  `session_date` date NOT NULL COMMENT '',
  `recording_id` tinyint(3) unsigned NOT NULL COMMENT '',
  `sorter_session_date` date NOT NULL COMMENT '',
  `unit_id` smallint(5) unsigned NOT NULL COMMENT '',
  `peak_channel` smallint(5) unsigned NOT NULL COMMENT '',
  `label` enum('good','mua','noise') NOT NULL COMMENT '',
  `firing_rate` double NOT NULL COMMENT 'Hz',
  `snr` float NOT NULL COMMENT '',
  PRIMARY KEY (`subject_id`,`session_date`,`recording_id`,`sorter_session_date`,`unit_id`),
  KEY `peak` (`subject_id`,`session_date`,`recording_id`,`peak_channel`),
  CONSTRAINT `__spike_sorting__unit_ibfk_1`
    FOREIGN KEY (`subject_id`, `session_date`, `recording_id`, `sorter_session_date`)
    REFERENCES `__spike_sorting` (`subject_id`, `session_date`, `recording_id`, `sorter_session_date`)
    ON UPDATE CASCADE,
  CONSTRAINT `__spike_sorting__unit_ibfk_2`
    FOREIGN KEY (`subject_id`, `session_date`, `recording_id`, `peak_channel`)
    REFERENCES `_recording__channel` (`subject_id`, `session_date`, `recording_id`, `channel`)
    ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='';

-- DataJoint's own tables, as it makes them.
CREATE TABLE `~log` (
  `timestamp` timestamp NOT NULL DEFAULT current_timestamp(),
  `version` varchar(12) NOT NULL COMMENT 'datajoint version',
  `user` varchar(255) NOT NULL COMMENT 'user@host',
  `host` varchar(255) NOT NULL DEFAULT '' COMMENT 'system hostname',
  `event` varchar(255) NOT NULL DEFAULT '' COMMENT 'event message',
  PRIMARY KEY (`timestamp`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='event logging table for `lab`';

CREATE TABLE `~jobs` (
  `table_name` varchar(255) NOT NULL COMMENT 'className of the table',
  `key_hash` char(32) NOT NULL COMMENT 'key hash',
  `status` enum('reserved','error','ignore') NOT NULL COMMENT 'if tuple is missing, the job is available',
  `key` longblob DEFAULT NULL COMMENT 'structure containing the key',
  `error_message` varchar(2047) NOT NULL DEFAULT '' COMMENT 'error message returned if failed',
  `error_stack` longblob DEFAULT NULL COMMENT 'error stack if failed',
  `user` varchar(255) NOT NULL DEFAULT '' COMMENT 'database user',
  `host` varchar(255) NOT NULL DEFAULT '' COMMENT 'system hostname',
  `pid` int(10) unsigned NOT NULL DEFAULT 0 COMMENT 'system process id',
  `connection_id` bigint(20) unsigned NOT NULL DEFAULT 0 COMMENT 'connection_id()',
  `timestamp` timestamp NOT NULL DEFAULT current_timestamp() COMMENT 'automatic timestamp',
  PRIMARY KEY (`table_name`,`key_hash`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='job reservation table for `lab`';

-- The rows. seq_tmp holds 1..1000 while they are made.
CREATE TABLE seq_tmp (n int PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO seq_tmp
SELECT 1 + a.d + 10 * b.d + 100 * c.d
FROM (SELECT 0 d UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4
      UNION SELECT 5 UNION SELECT 6 UNION SELECT 7 UNION SELECT 8
      UNION SELECT 9) a,
     (SELECT 0 d UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4
      UNION SELECT 5 UNION SELECT 6 UNION SELECT 7 UNION SELECT 8
      UNION SELECT 9) b,
     (SELECT 0 d UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4
      UNION SELECT 5 UNION SELECT 6 UNION SELECT 7 UNION SELECT 8
      UNION SELECT 9) c;

INSERT INTO `#species` VALUES
  ('Mus musculus', 'mouse'), ('Rattus norvegicus', 'rat'),
  ('Danio rerio', 'zebrafish'), ('Callithrix jacchus', 'marmoset');

-- parents before children: m<i>'s parent m<i-7> has a smaller number
INSERT INTO subject
SELECT CONCAT('m', n),
       IF(n % 5 = 0, 'Rattus norvegicus', 'Mus musculus'),
       ELT(1 + n % 3, 'M', 'F', 'U'),
       IF(n % 11 = 0, NULL, DATE_ADD('2023-01-01', INTERVAL 3 * n DAY)),
       IF(n % 13 = 0, NULL, 20 + n * 0.35),
       IF(n > 7, CONCAT('m', n - 7), NULL),
       IF(n = 1, 'O''Brien''s "first" mouse \\ naïve 🐭, tab:	end', '')
FROM seq_tmp WHERE n <= 40 ORDER BY n;

INSERT INTO surgery
SELECT s.subject_id, k.n,
       DATE_ADD('2023-06-01', INTERVAL 2 * k.n + SUBSTRING(s.subject_id, 2) DAY),
       IF(k.n = 1, 'implant', 'injection')
FROM subject s, seq_tmp k WHERE k.n <= 2;

INSERT INTO session
SELECT s.subject_id,
       DATE_ADD('2024-01-01', INTERVAL 7 * k.n + SUBSTRING(s.subject_id, 2) DAY),
       TIMESTAMPADD(MICROSECOND, 250000 + 1001 * k.n,
                    DATE_ADD('2024-01-01 09:30:00',
                             INTERVAL 7 * k.n + SUBSTRING(s.subject_id, 2) DAY)),
       ELT(1 + k.n % 3, 'ana', 'bea', 'céline'),
       IF(k.n = 4, NULL,
          JSON_OBJECT('rig', k.n, 'task', 'go/no-go', 'note', 'séance ✓')),
       IF(k.n = 3, NULL, 20 + k.n / 4)
FROM subject s, seq_tmp k WHERE k.n <= 4;

INSERT INTO `#probe_type` VALUES
  ('neuropixels 1.0', 384, 20), ('neuropixels 2.0', 384, 15),
  ('tetrode', 4, 12.5), ('utah', 96, 400);

INSERT INTO `_recording`
SELECT e.subject_id, e.session_date, r.n, 1,
       IF(r.n = 1, 'neuropixels 1.0', IF(e.rig_temperature IS NULL,
                                         'tetrode', 'neuropixels 2.0')),
       IF(r.n = 2 AND e.rig_temperature IS NULL, NULL,
          CONCAT('raw/', e.subject_id, '/', e.session_date, '_r', r.n,
                 '.nwb')),
       IF(r.n = 1, 30000, 2500.5),
       600 + r.n * 0.125,
       e.session_start + INTERVAL r.n * 1000 + 1 MICROSECOND,
       IF(e.subject_id = 'm1' AND r.n = 1,
          X'00275C0A0D1A22FF00', UNHEX(SHA2(CONCAT(e.subject_id,
                                      e.session_date, r.n), 256)))
FROM session e, seq_tmp r WHERE r.n <= 2;

INSERT INTO `_recording__channel`
SELECT c.subject_id, c.session_date, c.recording_id, k.n - 1,
       0.5 + k.n / 8,
       IF(k.n = 4, NULL, 100 + k.n * 12.5),
       k.n * 20.1
FROM `_recording` c, seq_tmp k WHERE k.n <= 4;

INSERT INTO `__spike_sorting`
SELECT c.subject_id, c.session_date, c.recording_id,
       (SELECT MIN(e.session_date) FROM session e
        WHERE e.subject_id = c.subject_id),
       ELT(1 + (SUBSTRING(c.subject_id, 2) + c.recording_id) % 3,
           'kilosort2.5', 'kilosort4', 'mountainsort5'),
       JSON_OBJECT('threshold', 6 + c.recording_id, 'car', TRUE),
       3,
       IF(c.subject_id = 'm1' AND c.recording_id = 1
          AND c.session_date = '2024-01-09', 18446744073709551615,
          CAST(9223372036854775808 AS UNSIGNED)
          + CAST(SUBSTRING(c.subject_id, 2) AS UNSIGNED) * 1000
          + DAYOFYEAR(c.session_date) * 10 + c.recording_id),
       c.recorded_at + INTERVAL 1 DAY,
       IF(c.recording_id = 2 AND c.nwb_path IS NULL, NULL,
          1 / (SUBSTRING(c.subject_id, 2) + c.recording_id)),
       UNHEX(SHA2(COALESCE(c.nwb_path, ''), 224))
FROM `_recording` c;
UPDATE `__spike_sorting` SET summary = X''
  WHERE subject_id = 'm2' AND recording_id = 1;

INSERT INTO `__spike_sorting__unit`
SELECT s.subject_id, s.session_date, s.recording_id, s.sorter_session_date,
       u.n, (u.n * 3) % 4,
       ELT(u.n, 'good', 'mua', 'noise'),
       u.n * 2.75 + s.recording_id,
       (SUBSTRING(s.subject_id, 2) * 7 + u.n * 3 + s.recording_id) % 20 / 2
FROM `__spike_sorting` s, seq_tmp u WHERE u.n <= 3;

INSERT INTO `~log`
SELECT TIMESTAMPADD(SECOND, n * 61, '2024-01-01 00:00:00'), '0.14.3',
       'quire@127.0.0.1', 'rig-1', CONCAT('Declared `lab`.`t', n, '`')
FROM seq_tmp WHERE n <= 30;

INSERT INTO `~jobs`
SELECT '__spike_sorting', MD5(n), ELT(1 + n % 3, 'reserved', 'error', 'ignore'),
       UNHEX(SHA2(n, 256)), IF(n % 3 = 1, 'KeyError: ''x''', ''),
       IF(n % 3 = 1, X'0001025C27', NULL),
       'quire@127.0.0.1', 'rig-2', 4000 + n, n,
       TIMESTAMPADD(SECOND, n, '2024-02-01 12:00:00')
FROM seq_tmp WHERE n <= 20;

DROP TABLE seq_tmp;
