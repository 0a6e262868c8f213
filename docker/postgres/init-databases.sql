-- One database per service; no service reads another's. Flyway creates the schemas at service start.
CREATE DATABASE tf_gateway;
CREATE DATABASE tf_agents;
CREATE DATABASE tf_inference;
CREATE DATABASE tf_metering;
CREATE DATABASE tf_billing;
