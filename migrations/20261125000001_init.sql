-- The whole data model of SPEC.md. Portable between MySQL 8 and MariaDB 10.11:
-- utf8mb4 with an explicit collation both servers know (MySQL's default
-- utf8mb4_0900_ai_ci does not exist in MariaDB), DATETIME(3) in UTC (the pool
-- pins the session time zone to +00:00), no JSON column type (MariaDB's is
-- an alias with different semantics), no CHECK-dependent logic.

CREATE TABLE users (
    id                      BIGINT       NOT NULL AUTO_INCREMENT,
    name                    VARCHAR(100) NOT NULL,
    username                VARCHAR(50)  NULL,
    email                   VARCHAR(254) NOT NULL,
    phone                   VARCHAR(20)  NOT NULL,
    password_hash           VARCHAR(255) NOT NULL,
    role                    ENUM('USER','ADMIN','SUPER_ADMIN') NOT NULL DEFAULT 'USER',
    status                  ENUM('ACTIVE','INACTIVE','BANNED') NOT NULL DEFAULT 'ACTIVE',
    age                     INT          NULL,
    address                 VARCHAR(500) NULL,
    avatar                  VARCHAR(1000) NULL,
    subscription_active     BOOLEAN      NOT NULL DEFAULT FALSE,
    subscription_expires_at DATETIME(3)  NULL,
    created_at              DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at              DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uq_users_email (email),
    UNIQUE KEY uq_users_phone (phone),
    UNIQUE KEY uq_users_username (username),
    KEY ix_users_role_status (role, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE refresh_tokens (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    user_id    BIGINT      NOT NULL,
    -- SHA-256 of the opaque token: the token itself is never stored.
    token      CHAR(64)    NOT NULL,
    -- Every token minted by rotating one login shares a family; replaying a
    -- rotated token revokes the whole family.
    family_id  CHAR(32)    NOT NULL,
    expires_at DATETIME(3) NOT NULL,
    is_revoked BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uq_refresh_tokens_token (token),
    KEY ix_refresh_tokens_family (family_id),
    KEY ix_refresh_tokens_user (user_id),
    CONSTRAINT fk_refresh_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE otps (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    target       VARCHAR(254) NOT NULL,
    channel      ENUM('SMS','EMAIL') NOT NULL,
    purpose      ENUM('REGISTER') NOT NULL,
    hashed_code  CHAR(64)     NOT NULL,
    expires_at   DATETIME(3)  NOT NULL,
    attempts     INT          NOT NULL DEFAULT 0,
    max_attempts INT          NOT NULL DEFAULT 5,
    verified     BOOLEAN      NOT NULL DEFAULT FALSE,
    last_sent_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uq_otps_target_channel_purpose (target, channel, purpose)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE packages (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    title         VARCHAR(200) NOT NULL,
    description   TEXT         NULL,
    price         BIGINT       NOT NULL,
    duration      INT          NOT NULL,
    category      VARCHAR(100) NULL,
    status        ENUM('ACTIVE','INACTIVE') NOT NULL DEFAULT 'ACTIVE',
    message_limit INT          NOT NULL,
    created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_packages_status (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE orders (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    user_id    BIGINT      NOT NULL,
    package_id BIGINT      NOT NULL,
    status     ENUM('PENDING','PAID','CANCELLED') NOT NULL DEFAULT 'PENDING',
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_orders_user (user_id),
    CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_orders_package FOREIGN KEY (package_id) REFERENCES packages (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE transactions (
    id           BIGINT      NOT NULL AUTO_INCREMENT,
    order_id     BIGINT      NOT NULL,
    amount       BIGINT      NOT NULL,
    status       ENUM('PENDING','SUCCESS','FAILURE') NOT NULL DEFAULT 'PENDING',
    gateway      ENUM('ZARINPAL','MOCK','OTHER') NOT NULL,
    authority    VARCHAR(64) NULL,
    ref_id       VARCHAR(64) NULL,
    gateway_data LONGTEXT    NULL,
    payment_date DATETIME(3) NULL,
    created_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at   DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uq_transactions_order (order_id),
    UNIQUE KEY uq_transactions_authority (authority),
    KEY ix_transactions_status (status),
    CONSTRAINT fk_transactions_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The packages a user bought (many-to-many); one grant per paid order.
CREATE TABLE user_packages (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    user_id    BIGINT      NOT NULL,
    package_id BIGINT      NOT NULL,
    order_id   BIGINT      NULL,
    granted_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uq_user_packages_order (order_id),
    KEY ix_user_packages_user (user_id),
    CONSTRAINT fk_user_packages_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_user_packages_package FOREIGN KEY (package_id) REFERENCES packages (id),
    CONSTRAINT fk_user_packages_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE campaigns (
    id                    BIGINT       NOT NULL AUTO_INCREMENT,
    user_id               BIGINT       NOT NULL,
    title                 VARCHAR(255) NULL,
    message               TEXT         NOT NULL,
    -- `interval` is a reserved word in MySQL.
    send_interval         ENUM('FIVE_SECONDS','TEN_SECONDS','TWENTY_SECONDS') NOT NULL DEFAULT 'TEN_SECONDS',
    is_scheduled          BOOLEAN      NOT NULL DEFAULT FALSE,
    scheduled_at          DATETIME(3)  NULL,
    timezone              VARCHAR(64)  NOT NULL DEFAULT 'Asia/Tehran',
    send_type             ENUM('IMMEDIATE','SCHEDULED') NOT NULL DEFAULT 'IMMEDIATE',
    status                ENUM('DRAFT','READY','RUNNING','COMPLETED','PAUSED','FAILED','CANCELLED','ACTIVE') NOT NULL DEFAULT 'DRAFT',
    failure_reason        VARCHAR(1000) NULL,
    is_connected          BOOLEAN      NOT NULL DEFAULT FALSE,
    qr_code               TEXT         NULL,
    session_id            VARCHAR(100) NULL,
    last_activity         DATETIME(3)  NULL,
    total_recipients      INT          NOT NULL DEFAULT 0,
    sent_count            INT          NOT NULL DEFAULT 0,
    failed_count          INT          NOT NULL DEFAULT 0,
    delivered_count       INT          NOT NULL DEFAULT 0,
    started_at            DATETIME(3)  NULL,
    completed_at          DATETIME(3)  NULL,
    total_messages        INT          NULL,
    successful_messages   INT          NULL,
    failed_messages       INT          NULL,
    delivery_rate         DOUBLE       NULL,
    average_delivery_time DOUBLE       NULL,
    created_at            DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    updated_at            DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    KEY ix_campaigns_user_status (user_id, status),
    KEY ix_campaigns_due (is_scheduled, status, scheduled_at),
    CONSTRAINT fk_campaigns_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE recipients (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    campaign_id  BIGINT       NOT NULL,
    phone        VARCHAR(20)  NOT NULL,
    name         VARCHAR(255) NULL,
    -- SENDING and UNKNOWN are internal: a recipient is marked SENDING before
    -- the message leaves, and one whose sender died mid-send becomes UNKNOWN
    -- rather than PENDING, so nobody is ever messaged twice.
    status       ENUM('PENDING','SENDING','SENT','FAILED','DELIVERED','UNKNOWN') NOT NULL DEFAULT 'PENDING',
    sent_at      DATETIME(3)  NULL,
    delivered_at DATETIME(3)  NULL,
    error        VARCHAR(1000) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_recipients_campaign_phone (campaign_id, phone),
    KEY ix_recipients_campaign_status (campaign_id, status),
    CONSTRAINT fk_recipients_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE attachments (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    campaign_id   BIGINT       NOT NULL,
    filename      VARCHAR(255) NOT NULL,
    original_name VARCHAR(255) NOT NULL,
    mimetype      VARCHAR(127) NOT NULL,
    size          BIGINT       NOT NULL,
    path          VARCHAR(512) NOT NULL,
    created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uq_attachments_campaign (campaign_id),
    CONSTRAINT fk_attachments_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
