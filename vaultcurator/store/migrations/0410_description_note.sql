-- Issue 11: why a proposal sets no description (the offline engine proposes none when the
-- note has no real sentence); shown by review beside the diff. NULL: nothing to explain.
ALTER TABLE proposals ADD COLUMN description_note TEXT;
