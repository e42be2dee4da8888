-- Curation: what the note looked like when its request was built, so the proposal's "old"
-- side is exact even when a job is resumed after the note changed on disk.
ALTER TABLE requests ADD COLUMN old_tags_json TEXT;
ALTER TABLE requests ADD COLUMN old_description TEXT;
CREATE INDEX requests_status ON requests(job_id, status);
CREATE INDEX requests_batch ON requests(batch_row);
