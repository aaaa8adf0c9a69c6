-- Attempt counters for logins and one-time codes (issue 27): per account
-- (an e-mail or phone) and per client IP, in fixed windows that start at a
-- subject's first attempt. `subject` is a keyed hash (HMAC-SHA256 with the
-- service secret, hex), never the e-mail, phone or IP itself. Rows whose
-- window ended are deleted now and then by the writes themselves.
CREATE TABLE auth_attempts (
    scope        VARCHAR(32) NOT NULL,
    subject      CHAR(64)    CHARACTER SET ascii NOT NULL,
    window_start DATETIME(3) NOT NULL,
    attempts     INT         NOT NULL,
    PRIMARY KEY (scope, subject),
    KEY ix_auth_attempts_window_start (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
