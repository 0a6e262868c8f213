-- The cost tags of the key (or agent) a request was made with (a JSON object of strings), carried to metering with
-- its usage; NULL: none.
ALTER TABLE inference_request ADD COLUMN tags TEXT;
ALTER TABLE request_in_flight ADD COLUMN tags TEXT;
