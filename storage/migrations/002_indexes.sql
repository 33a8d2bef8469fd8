-- Indexes for the hot queries (issue 7). Each serves one query shape in storage/sqlite.py.

-- intake's open-duplicate lookup: one building, one category, active, recent.
CREATE INDEX items_dup ON items(building, category, status, created_at);

-- reopen (a group's resolved items) and 待办 for a captain (a group's active items).
CREATE INDEX items_grp_status ON items(grp, status);

-- the digest's "resolved that day" count.
CREATE INDEX items_resolved ON items(resolved_at) WHERE resolved_at IS NOT NULL;

-- the digest's and the sweep's active items, answered from the index alone for the digest.
DROP INDEX items_status_created;
CREATE INDEX items_status_created ON items(status, created_at, urgent, building);
