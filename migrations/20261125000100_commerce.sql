-- Commerce and administration: message quota accounting and the
-- admin-uploaded recipients template. Packages, orders, transactions and
-- user_packages already exist (init). Same portability rules as init:
-- utf8mb4_unicode_ci, DATETIME(3) in UTC, no JSON type.

-- Messages actually sent, over the account's lifetime; the quota is the sum
-- of the granted packages' message limits minus this minus what running
-- campaigns hold reserved.
ALTER TABLE users ADD COLUMN messages_used BIGINT NOT NULL DEFAULT 0;

-- Messages a campaign has set aside and not sent yet. Reserving locks the
-- user's row, so two campaigns of one user can never overspend together.
-- Deleting a campaign drops its reservation, which returns the messages.
CREATE TABLE quota_reservations (
    campaign_id BIGINT      NOT NULL,
    user_id     BIGINT      NOT NULL,
    reserved    BIGINT      NOT NULL,
    created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (campaign_id),
    KEY ix_quota_reservations_user (user_id),
    CONSTRAINT fk_quota_reservations_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE CASCADE,
    CONSTRAINT fk_quota_reservations_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every upload of the recipients template (the file itself is in S3 under
-- one fixed key); the newest row describes the current one.
CREATE TABLE recipient_templates (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    original_name VARCHAR(255) NOT NULL,
    size          BIGINT       NOT NULL,
    uploaded_by   BIGINT       NULL,
    uploaded_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    CONSTRAINT fk_recipient_templates_user FOREIGN KEY (uploaded_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Newest-first listings of orders and transactions.
CREATE INDEX ix_transactions_created ON transactions (created_at);
