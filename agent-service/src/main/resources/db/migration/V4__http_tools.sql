-- HTTP tools registered by administrators: arguments (checked against parameters by the model) POSTed as JSON to url.
CREATE TABLE http_tool (
    name        VARCHAR(64)   PRIMARY KEY,
    description VARCHAR(1000) NOT NULL,
    url         VARCHAR(2000) NOT NULL,
    parameters  TEXT          NOT NULL,
    created_at  TIMESTAMPTZ   NOT NULL
);
