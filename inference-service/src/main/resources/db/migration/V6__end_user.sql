-- OpenAI's `user` of a request (the client's own end user), carried to metering with its usage.
ALTER TABLE inference_request ADD COLUMN end_user VARCHAR(256);
ALTER TABLE request_in_flight ADD COLUMN end_user VARCHAR(256);
