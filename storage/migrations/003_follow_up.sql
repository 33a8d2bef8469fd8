-- When the follow-up sweep next has to look at an item (a reminder or an escalation may be
-- due), so each sweep reads only the items that are due instead of every active one.
ALTER TABLE items ADD COLUMN follow_up_at TEXT;
CREATE INDEX items_follow_up ON items(follow_up_at) WHERE follow_up_at IS NOT NULL;
-- Existing active items are looked at by the next sweep, which sets their real next time.
UPDATE items SET follow_up_at = created_at WHERE status IN ('open', 'claimed');
