-- WebSocket connections (API Gateway connection ids) and the campaigns each
-- one follows. A connection belongs to the authenticated user who opened it.

CREATE TABLE ws_connections (
    connection_id VARCHAR(128) NOT NULL,
    user_id       BIGINT       NOT NULL,
    connected_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    -- API Gateway closes a WebSocket after 2 hours at the latest.
    expires_at    DATETIME(3)  NOT NULL,
    PRIMARY KEY (connection_id),
    KEY ix_ws_connections_user (user_id),
    KEY ix_ws_connections_expiry (expires_at),
    CONSTRAINT fk_ws_connections_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ws_subscriptions (
    connection_id VARCHAR(128) NOT NULL,
    campaign_id   BIGINT       NOT NULL,
    PRIMARY KEY (connection_id, campaign_id),
    KEY ix_ws_subscriptions_campaign (campaign_id),
    CONSTRAINT fk_ws_subscriptions_connection FOREIGN KEY (connection_id) REFERENCES ws_connections (connection_id) ON DELETE CASCADE,
    CONSTRAINT fk_ws_subscriptions_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
