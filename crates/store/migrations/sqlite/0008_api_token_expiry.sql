-- API tokens expire; tokens made before this had none, and get the default lifetime (90 days)
-- from when they were made.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
UPDATE api_tokens SET expires_at = created_at + 90 * 86400;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
