-- What the client of a stream cut short received, as the gateway counted it: a request closed as INTERRUPTED is
-- billed no more than that (chunks in transit when its replica died are lost with the connection).
ALTER TABLE request_in_flight ADD COLUMN completion_tokens_received BIGINT CHECK (completion_tokens_received >= 0);
