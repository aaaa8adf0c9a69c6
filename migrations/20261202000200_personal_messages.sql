-- Personal messages and the right to say no (issue 14).
-- recipients.variables: the list's other columns for this recipient, a JSON
-- object (header -> cell text), bounded by the import. campaigns.list_columns:
-- those headers (a JSON array), so placeholders can be checked without
-- reading every recipient.

ALTER TABLE recipients
    ADD COLUMN variables  TEXT          NULL,
    ADD COLUMN replied_at DATETIME(3)   NULL,
    ADD COLUMN reply_text VARCHAR(1000) NULL,
    ADD COLUMN read_at    DATETIME(3)   NULL,
    ADD COLUMN opted_out  BOOLEAN       NOT NULL DEFAULT FALSE;

ALTER TABLE campaigns
    ADD COLUMN opt_out_footer BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN list_columns   TEXT    NULL;

-- Per owner: numbers never to be messaged again.
CREATE TABLE suppressions (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    user_id     BIGINT       NOT NULL,
    phone       VARCHAR(20)  NOT NULL,
    reason      VARCHAR(255) NULL,
    created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uq_suppressions_user_phone (user_id, phone),
    CONSTRAINT fk_suppressions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
