-- keydir schema, part 14: autovacuum first analyzes the hot per-device tables at 1,000 changed rows,
-- not PostgreSQL's default 50 (+ 10 %). A connection keeps its cached plans of a table until the
-- table is analyzed again, and plans made after an ANALYZE of a few pages scan the table whole
-- (cheaper than an index descent there), for every key an upload names, while the table grows. At
-- 1,000 rows every hot statement's plan goes through the indexes (PlansOnAGrowingTableTest); the
-- statistics keeper (lifecycle.StatisticsPolicy.MIN_CHANGED_ROWS) uses the same floor.
ALTER TABLE one_time_keys SET (autovacuum_analyze_threshold = 1000);
ALTER TABLE fallback_keys SET (autovacuum_analyze_threshold = 1000);
ALTER TABLE device_keys SET (autovacuum_analyze_threshold = 1000);
ALTER TABLE devices SET (autovacuum_analyze_threshold = 1000);
