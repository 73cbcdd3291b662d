-- Transcribed from iredmail/iRedAPD SQL/iredapd.mysql @ afd3054aebd968c3cfe18e1105f3c97834261152 plus SQL/update/5.0-max_rcpts.mysql @ 52194c61da554defbf3387e00d8620e7b9f5db53 (throttle tables only).

CREATE TABLE throttle (
    id BIGINT(20) UNSIGNED AUTO_INCREMENT,
    account VARCHAR(255) NOT NULL,
    kind VARCHAR(10) NOT NULL DEFAULT 'outbound',
    priority TINYINT(1) UNSIGNED NOT NULL DEFAULT 0,
    period INT(10) UNSIGNED NOT NULL DEFAULT 0,
    msg_size BIGINT(20) NOT NULL DEFAULT -1,
    max_msgs BIGINT(20) NOT NULL DEFAULT -1,
    max_quota BIGINT(20) NOT NULL DEFAULT -1,
    max_rcpts BIGINT(20) NOT NULL DEFAULT -1,
    PRIMARY KEY (id),
    UNIQUE INDEX account_kind (account, kind)
) ENGINE=InnoDB;

CREATE TABLE throttle_tracking (
    id BIGINT(20) UNSIGNED AUTO_INCREMENT,
    tid BIGINT(20) UNSIGNED NOT NULL DEFAULT 0,
    account VARCHAR(255) NOT NULL DEFAULT '',
    period INT(10) UNSIGNED NOT NULL DEFAULT 0,
    cur_msgs MEDIUMINT(8) UNSIGNED NOT NULL DEFAULT 0,
    cur_quota INT(10) UNSIGNED NOT NULL DEFAULT 0,
    init_time INT(10) UNSIGNED NOT NULL DEFAULT 0,
    last_time INT(10) UNSIGNED NOT NULL DEFAULT 0,
    last_notify_time INT(10) UNSIGNED NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    FOREIGN KEY (tid) REFERENCES throttle (id),
    UNIQUE INDEX tid_account (tid, account)
) ENGINE=InnoDB;
