-- Run once by the postgres image on first start (docker-entrypoint-initdb.d), as POSTGRES_USER (dangxiao).
-- Each service owns its own database; no service reads another's tables.
CREATE DATABASE enrollment OWNER dangxiao;
CREATE DATABASE hours OWNER dangxiao;
CREATE DATABASE evaluation OWNER dangxiao;
CREATE DATABASE certificates OWNER dangxiao;
CREATE DATABASE planning OWNER dangxiao;
