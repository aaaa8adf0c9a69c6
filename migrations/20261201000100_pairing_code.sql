-- "Link with phone number": the number a user asked a pairing code for, and
-- the code the sender read from WhatsApp Web (which renews it about every
-- three minutes). Cleared once the session is linked.

ALTER TABLE campaigns
    ADD COLUMN pairing_phone           VARCHAR(20) NULL,
    ADD COLUMN pairing_code            VARCHAR(16) NULL,
    ADD COLUMN pairing_code_expires_at DATETIME(3) NULL;
