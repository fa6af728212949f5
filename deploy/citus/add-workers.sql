-- Run once on the coordinator (after every node is up), before keydir's first start.
-- Passwords between nodes: each node's ~/.pgpass, or pg_dist_authinfo (Citus docs, "Node authentication").
CREATE EXTENSION IF NOT EXISTS citus;
SELECT citus_set_coordinator_host('coordinator', 5432);
SELECT citus_add_node('worker-1', 5432);
SELECT citus_add_node('worker-2', 5432);
SELECT nodename, nodeport, isactive FROM pg_dist_node ORDER BY nodeid;
