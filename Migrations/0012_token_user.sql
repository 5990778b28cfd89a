-- A token may be bound to one user of its organisation: it then acts for that user alone (seed
-- 000's `{user}` must be it). A token without a user acts for every user of its organisation.
-- Not a foreign key: `users` comes later in migration order (0020); tradingd checks the user
-- when binding, and a token bound to a removed user acts for nobody.
ALTER TABLE api_tokens ADD COLUMN user_id uuid;
