-- What adopting credvault adds: the access token's blind-index term, to find a row by its token
-- without storing the token in clear. Filled by creds.seal and by the migration.
ALTER TABLE connections ADD COLUMN access_token_ix text;
CREATE INDEX connections_access_token_ix ON connections (access_token_ix);
