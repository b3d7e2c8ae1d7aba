-- Work: ero_office answers with three primary-key probes of ero_route (the 5-digit ZIP entry, the
-- 3-digit prefix, the state) instead of scanning a state's rows, and as a single expression it is
-- inlined into the routing queries. Same answers as before (src/work/routing.test.ts compares it
-- with fieldOfficeFor for every ZIP prefix of the split states); routing a whole population of
-- open tasks took about half the time in a measurement on the server.
CREATE OR REPLACE FUNCTION ero_office(st text, zip text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(
    (SELECT er.office FROM ero_route er
      WHERE er.state = upper(trim(st)) AND er.prefix = left(trim(zip), 5) AND trim(zip) ~ '^[0-9]{5}'),
    (SELECT er.office FROM ero_route er
      WHERE er.state = upper(trim(st)) AND er.prefix = left(trim(zip), 3) AND trim(zip) ~ '^[0-9]{5}'),
    (SELECT er.office FROM ero_route er WHERE er.state = upper(trim(st)) AND er.prefix = ''))
$$;
