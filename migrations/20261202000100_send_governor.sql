-- The send governor (issue 13): the WhatsApp accounts (numbers) campaigns
-- send from, every send per number (the caps count these rows, so they hold
-- across campaigns, senders, restarts and takeovers), the numbers found not
-- on WhatsApp per owner, and each campaign's sending hours and wait.

CREATE TABLE whatsapp_accounts (
    id                  BIGINT       NOT NULL AUTO_INCREMENT,
    user_id             BIGINT       NOT NULL,
    -- E.164 digits, read from WhatsApp Web after the scan.
    phone               VARCHAR(20)  NOT NULL,
    first_linked_at     DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    last_sent_at        DATETIME(3)  NULL,
    -- The warm-up ramp counts its days from here: the first link, or the
    -- first send after a long idle spell.
    warm_up_since       DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    -- Pacing per number: messages since the last long break, and after how
    -- many the next one comes.
    streak              INT          NOT NULL DEFAULT 0,
    streak_target       INT          NOT NULL DEFAULT 0,
    restricted_until    DATETIME(3)  NULL,
    last_breaker_reason VARCHAR(500) NULL,
    last_breaker_at     DATETIME(3)  NULL,
    -- The breaker only looks at sends after this one (set when it trips, so
    -- a resumed campaign starts with a clean slate).
    breaker_after_send  BIGINT       NOT NULL DEFAULT 0,
    -- No message from this number before then (the pause after its last one,
    -- whichever campaign sent it).
    next_send_at        DATETIME(3)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_whatsapp_accounts_owner_phone (user_id, phone),
    CONSTRAINT fk_whatsapp_accounts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per message a number sent or tried: reserved (PENDING) under the
-- account's row lock before the message leaves, settled after.
CREATE TABLE whatsapp_sends (
    id          BIGINT      NOT NULL AUTO_INCREMENT,
    account_id  BIGINT      NOT NULL,
    campaign_id BIGINT      NULL,
    sent_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    outcome     ENUM('PENDING','SENT','UNCONFIRMED','FAILED','NOT_ON_WHATSAPP') NOT NULL DEFAULT 'PENDING',
    PRIMARY KEY (id),
    KEY ix_whatsapp_sends_account_time (account_id, sent_at),
    CONSTRAINT fk_whatsapp_sends_account FOREIGN KEY (account_id) REFERENCES whatsapp_accounts (id) ON DELETE CASCADE,
    CONSTRAINT fk_whatsapp_sends_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Numbers found not on WhatsApp, per owner: later campaigns skip them for a while.
CREATE TABLE unreachable_numbers (
    user_id BIGINT      NOT NULL,
    phone   VARCHAR(20) NOT NULL,
    seen_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (user_id, phone),
    CONSTRAINT fk_unreachable_numbers_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE campaigns
    ADD COLUMN whatsapp_account_id BIGINT      NULL,
    -- Sending hours in the campaign's time zone ("HH:MM"); both NULL: any time.
    ADD COLUMN send_window_start   CHAR(5)     NULL,
    ADD COLUMN send_window_end     CHAR(5)     NULL,
    ADD COLUMN waiting_until       DATETIME(3) NULL,
    ADD COLUMN wait_reason         ENUM('HOURLY_LIMIT','DAILY_LIMIT','WARM_UP','OUTSIDE_SENDING_HOURS') NULL,
    ADD CONSTRAINT fk_campaigns_whatsapp_account FOREIGN KEY (whatsapp_account_id) REFERENCES whatsapp_accounts (id) ON DELETE SET NULL;
