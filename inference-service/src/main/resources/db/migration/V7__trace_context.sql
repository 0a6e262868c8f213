-- The W3C traceparent of a request's span, kept with it until its usage event goes out (perhaps from another replica,
-- after a restart), so metering and billing continue the request's trace.
ALTER TABLE request_in_flight ADD COLUMN traceparent VARCHAR(55);
ALTER TABLE inference_request ADD COLUMN traceparent VARCHAR(55);
