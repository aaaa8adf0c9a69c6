-- A fair share of the fleet (issue 25): senders say how many of their
-- sessions cannot make room (the API answers "queued" when none can), link
-- attempts expire and are rate-limited, and pairing codes go only to the
-- user's own number.

ALTER TABLE senders
    -- Sessions that cannot be closed to make room: linking, or serving a
    -- running campaign. `capacity - busy` is what a new link can get.
    ADD COLUMN busy INT NOT NULL DEFAULT 0;

ALTER TABLE whatsapp_accounts
    -- When the current link attempt was asked for: an unscanned attempt
    -- expires LINKING_TIMEOUT_SECONDS after it (or after its browser opened).
    ADD COLUMN linking_requested_at DATETIME(3) NULL;

UPDATE whatsapp_accounts SET linking_requested_at = first_linked_at WHERE status = 'LINKING';

ALTER TABLE users
    -- Set when the phone was proven by a one-time code (sign-up with OTP):
    -- a pairing code may be asked for this number without another code.
    ADD COLUMN phone_verified_at DATETIME(3) NULL;

-- Every request that starts a link (QR or pairing code): the per-user and
-- per-number rate limits count here, and it is the audit trail of pairing
-- requests (who asked a code for which number, when).
CREATE TABLE linking_requests (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    user_id    BIGINT      NOT NULL,
    kind       ENUM('QR','PAIRING','PAIRING_OTP') NOT NULL,
    phone      VARCHAR(20) NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_linking_requests_user (user_id, created_at),
    KEY ix_linking_requests_phone (phone, created_at),
    CONSTRAINT fk_linking_requests_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE otps
    MODIFY COLUMN purpose ENUM('REGISTER','PAIRING') NOT NULL;
