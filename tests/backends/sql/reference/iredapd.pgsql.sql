-- Transcribed from iredmail/iRedAPD SQL/iredapd.pgsql @ 640de3822c8b1e6895934f2be19ed259ff315e2d plus SQL/update/2.3-last_notify_time.pgsql @ 52194c61da554defbf3387e00d8620e7b9f5db53 and SQL/update/5.0-max_rcpts.pgsql @ b75a294a010ad81f624ae962ba51473ef00d55c6 (throttle tables only).

CREATE TABLE throttle (
    id SERIAL PRIMARY KEY,
    account VARCHAR(255) NOT NULL,
    kind VARCHAR(10) NOT NULL DEFAULT 'outbound',
    priority BIGINT NOT NULL DEFAULT 0,
    period BIGINT NOT NULL DEFAULT 0,
    msg_size BIGINT NOT NULL DEFAULT -1,
    max_msgs BIGINT NOT NULL DEFAULT -1,
    max_quota BIGINT NOT NULL DEFAULT -1,
    max_rcpts BIGINT NOT NULL DEFAULT -1
);
CREATE INDEX idx_account ON throttle (account);

CREATE TABLE throttle_tracking (
    id SERIAL PRIMARY KEY,
    tid BIGINT REFERENCES throttle (id),
    account VARCHAR(255) NOT NULL DEFAULT '',
    period BIGINT NOT NULL DEFAULT 0,
    cur_msgs BIGINT NOT NULL DEFAULT 0,
    cur_quota BIGINT NOT NULL DEFAULT 0,
    init_time BIGINT NOT NULL DEFAULT 0,
    last_time BIGINT NOT NULL DEFAULT 0,
    last_notify_time BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX idx_tid_account ON throttle_tracking (tid, account);
