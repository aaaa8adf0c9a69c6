-- Link once (issue 17): a WhatsApp session belongs to the user's WhatsApp
-- account (number), not to a campaign. One lease, profile and snapshot per
-- account; every campaign of the number sends through it.

ALTER TABLE whatsapp_accounts
    -- Unknown until the scan: WhatsApp Web shows its own number only once linked.
    MODIFY COLUMN phone VARCHAR(20) NULL,
    -- LINKING: waiting for a scan; CONNECTED: logged in (a saved login can be
    -- restored); DISCONNECTED: the phone logged the device out; REMOVED: the
    -- user deleted it (the row stays so the number's caps keep counting).
    ADD COLUMN status                  ENUM('LINKING','CONNECTED','DISCONNECTED','REMOVED') NOT NULL DEFAULT 'LINKING',
    ADD COLUMN status_reason           VARCHAR(500) NULL,
    ADD COLUMN qr_code                 TEXT         NULL,
    ADD COLUMN pairing_phone           VARCHAR(20)  NULL,
    ADD COLUMN pairing_code            VARCHAR(16)  NULL,
    ADD COLUMN pairing_code_expires_at DATETIME(3)  NULL,
    ADD COLUMN connected_at            DATETIME(3)  NULL,
    ADD COLUMN last_activity           DATETIME(3)  NULL,
    -- Only while this migration moves per-campaign sessions over.
    ADD COLUMN migrated_campaign_id    BIGINT       NULL;

CREATE TABLE whatsapp_sessions (
    account_id   BIGINT       NOT NULL,
    sender_id    VARCHAR(64)  NOT NULL,
    inbox_url    VARCHAR(512) NOT NULL,
    acquired_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    expires_at   DATETIME(3)  NOT NULL,
    -- Bumped on every change of owner (see session_leases).
    fencing      BIGINT       NOT NULL DEFAULT 1,
    snapshot_key VARCHAR(512) NULL,
    PRIMARY KEY (account_id),
    KEY ix_whatsapp_sessions_sender (sender_id),
    KEY ix_whatsapp_sessions_expiry (expires_at),
    CONSTRAINT fk_whatsapp_sessions_account FOREIGN KEY (account_id) REFERENCES whatsapp_accounts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Sockets following a WhatsApp account (`{"type":"subscribe","accountId":N}`).
CREATE TABLE ws_account_subscriptions (
    connection_id VARCHAR(128) NOT NULL,
    account_id    BIGINT       NOT NULL,
    PRIMARY KEY (connection_id, account_id),
    KEY ix_ws_account_subscriptions_account (account_id),
    CONSTRAINT fk_ws_account_subscriptions_connection FOREIGN KEY (connection_id) REFERENCES ws_connections (connection_id) ON DELETE CASCADE,
    CONSTRAINT fk_ws_account_subscriptions_account FOREIGN KEY (account_id) REFERENCES whatsapp_accounts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per-campaign sessions with a saved login become accounts: a campaign
-- already tied to its number hands its snapshot to that account; one that
-- is not gets an account whose number the sender reads from the page when it
-- first opens it. Nothing already linked asks for a new scan.
INSERT INTO whatsapp_accounts (user_id, phone, status, migrated_campaign_id, connected_at)
SELECT c.user_id, NULL, 'CONNECTED', c.id, l.acquired_at
FROM session_leases l JOIN campaigns c ON c.id = l.campaign_id
WHERE l.snapshot_key IS NOT NULL AND c.whatsapp_account_id IS NULL;

UPDATE campaigns c JOIN whatsapp_accounts a ON a.migrated_campaign_id = c.id
SET c.whatsapp_account_id = a.id;

-- The newest login per account wins (the others stay linked on the phone
-- until the user removes them there).
INSERT IGNORE INTO whatsapp_sessions (account_id, sender_id, inbox_url, acquired_at, expires_at, fencing, snapshot_key)
SELECT c.whatsapp_account_id, l.sender_id, l.inbox_url, l.acquired_at, l.expires_at, l.fencing, l.snapshot_key
FROM session_leases l JOIN campaigns c ON c.id = l.campaign_id
WHERE l.snapshot_key IS NOT NULL AND c.whatsapp_account_id IS NOT NULL
ORDER BY l.acquired_at DESC;

-- Numbers linked before: restorable where a login was saved, otherwise the
-- next campaign needs a scan.
UPDATE whatsapp_accounts a LEFT JOIN whatsapp_sessions s ON s.account_id = a.id
SET a.status = IF(s.account_id IS NULL, 'DISCONNECTED', 'CONNECTED'),
    a.connected_at = IF(s.account_id IS NULL, a.connected_at, COALESCE(a.connected_at, s.acquired_at));

ALTER TABLE whatsapp_accounts DROP COLUMN migrated_campaign_id;
DROP TABLE session_leases;

-- Campaigns of one number may run side by side now: the session picks them
-- in turn.
CREATE INDEX ix_campaigns_whatsapp_account_status ON campaigns (whatsapp_account_id, status);
