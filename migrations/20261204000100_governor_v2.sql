-- The governor knows WhatsApp's own limits (issue 24): people who wrote to
-- a number (warm) and everyone else (cold), a daily budget of cold sends,
-- WhatsApp Web's own new-chat quota, and when the phone was last seen, for
-- the re-link warning.

-- Someone who wrote to the number: a reply we recorded or a chat the page
-- showed with their messages. Chats with them keep working under the
-- timelock and cost nothing of the cold budget or of WhatsApp's quota.
CREATE TABLE warm_contacts (
    account_id BIGINT      NOT NULL,
    phone      VARCHAR(20) NOT NULL,
    seen_at    DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (account_id, phone),
    CONSTRAINT fk_warm_contacts_account FOREIGN KEY (account_id) REFERENCES whatsapp_accounts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE whatsapp_sends
    -- A send to someone who never wrote to the number: counted by the cold budget.
    ADD COLUMN cold TINYINT(1) NOT NULL DEFAULT 0;

ALTER TABLE whatsapp_accounts
    -- WhatsApp Web's new-chat quota as the page last showed it.
    ADD COLUMN quota_status        VARCHAR(16) NULL,
    ADD COLUMN quota_used          INT         NULL,
    ADD COLUMN quota_total         INT         NULL,
    ADD COLUMN quota_cycle_ends_at DATETIME(3) NULL,
    -- When the phone was last seen active (a scan or a pairing code needs
    -- it): WhatsApp logs a linked device out about 14 days after.
    ADD COLUMN phone_seen_at       DATETIME(3) NULL,
    -- When the user was last warned that the link is due.
    ADD COLUMN relink_warned_at    DATETIME(3) NULL;

UPDATE whatsapp_accounts SET phone_seen_at = COALESCE(connected_at, first_linked_at);

ALTER TABLE campaigns
    MODIFY COLUMN wait_reason ENUM('HOURLY_LIMIT','DAILY_LIMIT','WARM_UP','OUTSIDE_SENDING_HOURS','WHATSAPP_TIMELOCK',
                                   'COLD_CONTACT_LIMIT','WHATSAPP_QUOTA') NULL;
