-- The sender fleet's database user, with only what it needs (issue 27):
-- the tables it reads and writes, and of `users` only `id` and the quota
-- counter `messages_used` (never `password_hash`); nothing on `orders`,
-- `transactions` (payments), `otps`, `refresh_tokens`, `packages`,
-- `user_packages`, `linking_requests` or `auth_attempts`.
--
-- Run it as the database's admin, with a password of your own (16 or more
-- of letters, digits and -_.~+/=) and your database's name:
--
--   sed -e "s|__SENDER_PASSWORD__|$(openssl rand -hex 24)|" -e "s|wa_campaigns|<database>|" \
--       infra/sender-db-user.sql | mysql -h <host> -u <admin> -p
--
-- Running it again sets the password again and replaces the grants. It is
-- the same as shared::repo::db_users::grant_sender_user (a test,
-- functions/tests/api/sender_db_user.rs, holds the two equal and checks
-- what the user may and may not do). The sender then connects with
-- mysql://wa_sender:<password>@<host>:3306/<database> (docs/security.md).

CREATE USER IF NOT EXISTS 'wa_sender'@'%' IDENTIFIED BY '__SENDER_PASSWORD__';
ALTER USER 'wa_sender'@'%' IDENTIFIED BY '__SENDER_PASSWORD__';
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'wa_sender'@'%';
GRANT SELECT, UPDATE ON `wa_campaigns`.`campaigns` TO 'wa_sender'@'%';
GRANT SELECT, UPDATE ON `wa_campaigns`.`recipients` TO 'wa_sender'@'%';
GRANT SELECT ON `wa_campaigns`.`attachments` TO 'wa_sender'@'%';
GRANT SELECT, UPDATE, DELETE ON `wa_campaigns`.`quota_reservations` TO 'wa_sender'@'%';
GRANT SELECT (id, messages_used), UPDATE (messages_used) ON `wa_campaigns`.`users` TO 'wa_sender'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wa_campaigns`.`whatsapp_accounts` TO 'wa_sender'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wa_campaigns`.`whatsapp_sessions` TO 'wa_sender'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wa_campaigns`.`whatsapp_sends` TO 'wa_sender'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wa_campaigns`.`senders` TO 'wa_sender'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wa_campaigns`.`warm_contacts` TO 'wa_sender'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wa_campaigns`.`unreachable_numbers` TO 'wa_sender'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wa_campaigns`.`suppressions` TO 'wa_sender'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wa_campaigns`.`ws_connections` TO 'wa_sender'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wa_campaigns`.`ws_subscriptions` TO 'wa_sender'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `wa_campaigns`.`ws_account_subscriptions` TO 'wa_sender'@'%';
