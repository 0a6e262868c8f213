-- The first start's admin key expires unless used (docs/security.md): marked here until its first use.
ALTER TABLE api_key ADD COLUMN unused_bootstrap BOOLEAN NOT NULL DEFAULT false;
