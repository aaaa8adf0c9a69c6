-- WhatsApp's reach-out timelock (2026, issue 23): after too many messages
-- to new contacts, chats with people who never wrote to the number are
-- closed until a stated time, while existing chats keep working. It lifts
-- by itself; nothing is retried, re-linked or logged out because of it.

ALTER TABLE whatsapp_accounts
    -- Until when WhatsApp Web showed the timelock (new chats closed).
    ADD COLUMN timelock_until DATETIME(3) NULL;

ALTER TABLE recipients
    -- A recipient whose chat the timelock closed waits (PENDING) until then.
    ADD COLUMN deferred_until DATETIME(3) NULL;

ALTER TABLE campaigns
    MODIFY COLUMN wait_reason ENUM('HOURLY_LIMIT','DAILY_LIMIT','WARM_UP','OUTSIDE_SENDING_HOURS','WHATSAPP_TIMELOCK') NULL;
