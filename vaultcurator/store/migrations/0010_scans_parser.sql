-- Which parser wrote a scan's cache rows (a fingerprint of the parsing code and of PyYAML).
-- A scan by a different parser ignores and rebuilds the cache, so an upgrade that parses
-- notes differently never serves stale tags or frontmatter for unchanged files.
ALTER TABLE scans ADD COLUMN parser TEXT;
