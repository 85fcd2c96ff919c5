-- PostgreSQL only (SQLite numbers drafts in the store's own transaction): a draft invoice and
-- its lines saved in one transaction, numbered INV-#### one past the business's highest, one
-- draft at a time per business. A draft whose id (or one of `same_as`, the ids of the same
-- request in earlier windows) is stored already is not saved again: its id and number are
-- returned, so a retried request saves one draft. Called by the SQL store and, over Supabase's
-- REST API, as POST /rest/v1/rpc/ai_save_draft (one request, so never half a draft).
-- Only the columns the draft names are written: the others keep their defaults.
CREATE OR REPLACE FUNCTION ai_save_draft(draft jsonb, lines jsonb, same_as text[] DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = public
AS $fn$
DECLARE
  stored record;
  highest bigint;
  number text;
  header_columns text;
  line_columns text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(draft->>'business_id'));
  SELECT i.id, i.invoice_number INTO stored FROM invoices i
   WHERE i.id::text = ANY (array_append(same_as, draft->>'id'))
   LIMIT 1;
  IF FOUND THEN
    RETURN jsonb_build_object('id', stored.id, 'invoice_number', stored.invoice_number);
  END IF;
  SELECT max(substring(i.invoice_number FROM '^INV-([0-9]+)$')::bigint) INTO highest
    FROM invoices i
   WHERE i.business_id = (draft->>'business_id')::uuid AND i.invoice_number ~ '^INV-[0-9]+$';
  number := 'INV-' || lpad((coalesce(highest, 0) + 1)::text,
                           greatest(4, length((coalesce(highest, 0) + 1)::text)), '0');
  draft := draft || jsonb_build_object('invoice_number', number);
  SELECT string_agg(quote_ident(k), ', ') INTO header_columns FROM jsonb_object_keys(draft) AS k;
  EXECUTE format('INSERT INTO invoices (%s) SELECT %s FROM jsonb_populate_record(NULL::invoices, $1)',
                 header_columns, header_columns) USING draft;
  IF jsonb_array_length(lines) > 0 THEN
    SELECT string_agg(quote_ident(k), ', ') INTO line_columns
      FROM jsonb_object_keys(lines->0) AS k;
    EXECUTE format('INSERT INTO invoice_items (%s) SELECT %s '
                   'FROM jsonb_populate_recordset(NULL::invoice_items, $1)',
                   line_columns, line_columns) USING lines;
  END IF;
  RETURN jsonb_build_object('id', draft->>'id', 'invoice_number', number);
END
$fn$;

-- On Supabase every role may call a new function in public, the app's anon key included; only
-- this backend (the service role) may save drafts through it.
REVOKE ALL ON FUNCTION ai_save_draft(jsonb, jsonb, text[]) FROM PUBLIC;
DO $grants$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    EXECUTE 'REVOKE ALL ON FUNCTION ai_save_draft(jsonb, jsonb, text[]) FROM anon, authenticated';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
    EXECUTE 'GRANT EXECUTE ON FUNCTION ai_save_draft(jsonb, jsonb, text[]) TO service_role';
  END IF;
END
$grants$;
