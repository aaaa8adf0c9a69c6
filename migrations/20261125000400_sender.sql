-- The sender fleet: which senders are alive and which one owns each
-- campaign's WhatsApp session (a lease kept alive by heartbeats).

CREATE TABLE senders (
    id           VARCHAR(64)  NOT NULL,
    inbox_url    VARCHAR(512) NOT NULL,
    capacity     INT          NOT NULL,
    draining     BOOLEAN      NOT NULL DEFAULT FALSE,
    started_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    heartbeat_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE session_leases (
    campaign_id  BIGINT       NOT NULL,
    sender_id    VARCHAR(64)  NOT NULL,
    inbox_url    VARCHAR(512) NOT NULL,
    acquired_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    expires_at   DATETIME(3)  NOT NULL,
    -- Bumped on every change of owner: a sender acts only while the token it
    -- claimed is still current (fencing against a paused, presumed-dead owner).
    fencing      BIGINT       NOT NULL DEFAULT 1,
    -- Set once a logged-in profile was saved to S3, so a new owner can restore it.
    snapshot_key VARCHAR(512) NULL,
    PRIMARY KEY (campaign_id),
    KEY ix_session_leases_sender (sender_id),
    KEY ix_session_leases_expiry (expires_at),
    CONSTRAINT fk_session_leases_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
