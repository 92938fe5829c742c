-- The table the application already has: each connection's credentials as plain JSON.
CREATE TABLE connections (
  id         uuid PRIMARY KEY,
  user_id    text NOT NULL,
  credential text -- plain JSON before credvault; a cv1 envelope once migrated
);
