-- Transcribed from iredmail/iRedMail samples/amavisd/amavisd.mysql @ 2b2204ba256b43980f5bb7395e08ab45b549fb62 (comments and the DELIMITER lines around the trigger left out).

CREATE TABLE users (
  id         int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  priority   integer      NOT NULL DEFAULT '7',
  policy_id  integer unsigned NOT NULL DEFAULT '1',
  email      varbinary(255) NOT NULL UNIQUE,
  fullname   varchar(255) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE mailaddr (
  id         int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  priority   integer      NOT NULL DEFAULT '7',
  email      varbinary(255) NOT NULL UNIQUE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE wblist (
  rid        integer unsigned NOT NULL,
  sid        integer unsigned NOT NULL,
  wb         varchar(10)  NOT NULL,
  PRIMARY KEY (rid,sid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE outbound_wblist (
  rid        integer unsigned NOT NULL,
  sid        integer unsigned NOT NULL,
  wb         varchar(10)  NOT NULL,
  PRIMARY KEY (rid,sid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE policy (
  id  int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  policy_name      varchar(32),
  virus_lover           char(1) default NULL,
  spam_lover            char(1) default NULL,
  unchecked_lover       char(1) default NULL,
  banned_files_lover    char(1) default NULL,
  bad_header_lover      char(1) default NULL,
  bypass_virus_checks   char(1) default NULL,
  bypass_spam_checks    char(1) default NULL,
  bypass_banned_checks  char(1) default NULL,
  bypass_header_checks  char(1) default NULL,
  virus_quarantine_to      varchar(64) default NULL,
  spam_quarantine_to       varchar(64) default NULL,
  banned_quarantine_to     varchar(64) default NULL,
  unchecked_quarantine_to  varchar(64) default NULL,
  bad_header_quarantine_to varchar(64) default NULL,
  clean_quarantine_to      varchar(64) default NULL,
  archive_quarantine_to    varchar(64) default NULL,
  spam_tag_level  float default NULL,
  spam_tag2_level float default NULL,
  spam_tag3_level float default NULL,
  spam_kill_level float default NULL,
  spam_dsn_cutoff_level        float default NULL,
  spam_quarantine_cutoff_level float default NULL,
  addr_extension_virus      varchar(64) default NULL,
  addr_extension_spam       varchar(64) default NULL,
  addr_extension_banned     varchar(64) default NULL,
  addr_extension_bad_header varchar(64) default NULL,
  warnvirusrecip      char(1)     default NULL,
  warnbannedrecip     char(1)     default NULL,
  warnbadhrecip       char(1)     default NULL,
  newvirus_admin      varchar(64) default NULL,
  virus_admin         varchar(64) default NULL,
  banned_admin        varchar(64) default NULL,
  bad_header_admin    varchar(64) default NULL,
  spam_admin          varchar(64) default NULL,
  spam_subject_tag    varchar(64) default NULL,
  spam_subject_tag2   varchar(64) default NULL,
  spam_subject_tag3   varchar(64) default NULL,
  message_size_limit  integer     default NULL,
  banned_rulenames    varchar(64) default NULL,
  disclaimer_options  varchar(64) default NULL,
  forward_method      varchar(64) default NULL,
  sa_userconf         varchar(64) default NULL,
  sa_username         varchar(64) default NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

ALTER TABLE policy MODIFY COLUMN policy_name VARCHAR(255) NOT NULL DEFAULT '';
CREATE UNIQUE INDEX policy_idx_policy_name ON policy (policy_name);

CREATE TABLE maddr (
  partition_tag integer      DEFAULT 0,
  id         bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email      varbinary(255)  NOT NULL,
  email_raw  varbinary(255)  NOT NULL DEFAULT '',
  domain     varchar(255)    NOT NULL,
  CONSTRAINT part_email UNIQUE (partition_tag,email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE INDEX maddr_idx_email ON maddr (email);
CREATE INDEX maddr_idx_email_raw ON maddr (email_raw);
CREATE INDEX maddr_idx_domain ON maddr (domain);

CREATE TRIGGER `maddr_email_raw`
    BEFORE INSERT
    ON `maddr`
    FOR EACH ROW
    BEGIN
        IF (NEW.email LIKE '%+%') THEN
            SET NEW.email_raw = CONCAT(SUBSTRING_INDEX(NEW.email, '+', 1), '@', SUBSTRING_INDEX(new.email, '@', -1));
        ELSE
            SET NEW.email_raw = NEW.email;
        END IF;
    END;

CREATE TABLE msgs (
  partition_tag integer     DEFAULT 0,
  mail_id     varbinary(16) NOT NULL,
  secret_id   varbinary(16) DEFAULT '',
  am_id       varchar(20)   NOT NULL,
  time_num    integer unsigned NOT NULL,
  time_iso    char(16)      NOT NULL,
  sid         bigint unsigned NOT NULL,
  policy      varchar(255)  DEFAULT '',
  client_addr varchar(255)  DEFAULT '',
  size        integer unsigned NOT NULL,
  originating char(1) DEFAULT ' ' NOT NULL,
  content     char(1),
  quar_type  char(1),
  quar_loc   varbinary(255) DEFAULT '',
  dsn_sent   char(1),
  spam_level float,
  message_id varchar(255)  DEFAULT '',
  from_addr  VARBINARY(255) NOT NULL DEFAULT '',
  subject    VARBINARY(1024) NOT NULL DEFAULT '',
  host       varchar(255)  NOT NULL,
  PRIMARY KEY (partition_tag,mail_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE INDEX msgs_idx_sid      ON msgs (sid);
CREATE INDEX msgs_idx_mess_id  ON msgs (message_id);
CREATE INDEX msgs_idx_time_num ON msgs (time_num);
CREATE INDEX msgs_idx_mail_id   ON msgs (mail_id);
CREATE INDEX msgs_idx_content   ON msgs (content);
CREATE INDEX msgs_idx_quar_type ON msgs (quar_type);
CREATE INDEX msgs_idx_content_time_num ON msgs (content, time_num);
CREATE INDEX msgs_idx_spam_level ON msgs (spam_level);
CREATE INDEX msgs_idx_policy     ON msgs (policy);
CREATE INDEX msgs_idx_time_iso ON msgs (time_iso);

CREATE TABLE msgrcpt (
  partition_tag integer    DEFAULT 0,
  mail_id    varbinary(16) NOT NULL,
  rseqnum    integer  DEFAULT 0   NOT NULL,
  rid        bigint unsigned NOT NULL,
  is_local   char(1)  DEFAULT ' ' NOT NULL,
  content    char(1)  DEFAULT ' ' NOT NULL,
  ds         char(1)  NOT NULL,
  rs         char(1)  NOT NULL,
  bl         char(1)  DEFAULT ' ',
  wl         char(1)  DEFAULT ' ',
  bspam_level float,
  smtp_resp  varchar(255)  DEFAULT '',
  PRIMARY KEY (partition_tag,mail_id,rseqnum)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE INDEX msgrcpt_idx_mail_id  ON msgrcpt (mail_id);
CREATE INDEX msgrcpt_idx_rid      ON msgrcpt (rid);

CREATE TABLE quarantine (
  partition_tag integer    DEFAULT 0,
  mail_id    varbinary(16) NOT NULL,
  chunk_ind  integer unsigned NOT NULL,
  mail_text  blob          NOT NULL,
  PRIMARY KEY (partition_tag,mail_id,chunk_ind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE INDEX quar_idx_mail_id   ON quarantine (mail_id);
