\echo Use "ALTER EXTENSION vectors UPDATE" to load this file. \quit
-- vccheck stand-in: nothing the catalog shows changes between 0.2.0 and 0.3.0.
