-- Transcribed from iredmail/iRedMail samples/amavisd/amavisd.pgsql @ 2b2204ba256b43980f5bb7395e08ab45b549fb62 (comments left out).

CREATE TABLE users (
  id         serial  PRIMARY KEY,
  priority   integer NOT NULL DEFAULT '7',
  policy_id  integer NOT NULL DEFAULT '1' CHECK (policy_id >= 0),
  email      bytea   NOT NULL UNIQUE,
  fullname   varchar(255) DEFAULT NULL
);

CREATE TABLE mailaddr (
  id         serial  PRIMARY KEY,
  priority   integer NOT NULL DEFAULT '7',
  email      bytea   NOT NULL UNIQUE
);

CREATE TABLE wblist (
  rid        integer NOT NULL CHECK (rid >= 0),
  sid        integer NOT NULL CHECK (sid >= 0),
  wb         varchar(10) NOT NULL,
  PRIMARY KEY (rid,sid)
);

CREATE TABLE outbound_wblist (
  rid        integer NOT NULL CHECK (rid >= 0),
  sid        integer NOT NULL CHECK (sid >= 0),
  wb         varchar(10) NOT NULL,
  PRIMARY KEY (rid,sid)
);

CREATE TABLE policy (
  id  serial PRIMARY KEY,
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
  spam_tag_level  real default NULL,
  spam_tag2_level real default NULL,
  spam_tag3_level real default NULL,
  spam_kill_level real default NULL,
  spam_dsn_cutoff_level        real default NULL,
  spam_quarantine_cutoff_level real default NULL,
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
);

ALTER TABLE policy ALTER COLUMN policy_name TYPE varchar(255);
CREATE UNIQUE INDEX policy_idx_policy_name ON policy (policy_name);

CREATE TABLE maddr (
    partition_tag integer   DEFAULT 0,
    id serial       PRIMARY KEY,
    email bytea         NOT NULL,
    email_raw  VARCHAR(255) NOT NULL DEFAULT '',
    domain bytea        NOT NULL,
    CONSTRAINT part_email UNIQUE (partition_tag,email)
);

CREATE INDEX maddr_idx_email ON maddr (email);
CREATE INDEX maddr_idx_email_raw ON maddr (email_raw);
CREATE INDEX maddr_idx_domain ON maddr (domain);

CREATE OR REPLACE FUNCTION strip_addr_extension()
RETURNS TRIGGER AS $$
BEGIN
    IF (NEW.email LIKE '%+%') THEN
        NEW.email_raw := split_part(convert_from(NEW.email, 'UTF8'), '+', 1) || '@' || split_part(convert_from(NEW.email, 'UTF8'), '@', 2);
    ELSE
        NEW.email_raw := convert_from(NEW.email, 'UTF8');
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER maddr_email_raw
    BEFORE INSERT ON maddr
    FOR EACH ROW
    EXECUTE PROCEDURE strip_addr_extension();

CREATE TABLE msgs (
  partition_tag integer     DEFAULT 0,
  mail_id     bytea         NOT NULL,
  secret_id   bytea         DEFAULT '',
  am_id       varchar(20)   NOT NULL,
  time_num    integer NOT NULL CHECK (time_num >= 0),
  time_iso    timestamp WITH TIME ZONE NOT NULL,
  sid         integer NOT NULL CHECK (sid >= 0),
  policy      varchar(255)  DEFAULT '',
  client_addr varchar(255)  DEFAULT '',
  size        integer NOT NULL CHECK (size >= 0),
  originating char(1) DEFAULT ' ' NOT NULL,
  content     char(1),
  quar_type  char(1),
  quar_loc   varchar(255)  DEFAULT '',
  dsn_sent   char(1),
  spam_level real,
  message_id varchar(255)  DEFAULT '',
  from_addr  bytea         DEFAULT '',
  subject    bytea         DEFAULT '',
  host       varchar(255)  NOT NULL,
  PRIMARY KEY (partition_tag,mail_id)
);
CREATE INDEX msgs_idx_sid      ON msgs (sid);
CREATE INDEX msgs_idx_mess_id  ON msgs (message_id);
CREATE INDEX msgs_idx_time_iso ON msgs (time_iso);
CREATE INDEX msgs_idx_time_num ON msgs (time_num);
CREATE INDEX msgs_idx_mail_id   ON msgs (mail_id);
CREATE INDEX msgs_idx_content   ON msgs (content);
CREATE INDEX msgs_idx_quar_type ON msgs (quar_type);
CREATE INDEX msgs_idx_spam_level ON msgs (spam_level);
CREATE INDEX msgs_idx_policy     ON msgs (policy);

CREATE TABLE msgrcpt (
  partition_tag integer DEFAULT 0,
  mail_id    bytea    NOT NULL,
  rseqnum    integer  DEFAULT 0   NOT NULL,
  rid        integer  NOT NULL,
  is_local   char(1)  DEFAULT ' ' NOT NULL,
  content    char(1)  DEFAULT ' ' NOT NULL,
  ds         char(1)  NOT NULL,
  rs         char(1)  NOT NULL,
  bl         char(1)  DEFAULT ' ',
  wl         char(1)  DEFAULT ' ',
  bspam_level real,
  smtp_resp  varchar(255) DEFAULT '',
  PRIMARY KEY (partition_tag,mail_id,rseqnum)
);
CREATE INDEX msgrcpt_idx_mail_id  ON msgrcpt (mail_id);
CREATE INDEX msgrcpt_idx_rid      ON msgrcpt (rid);

CREATE TABLE quarantine (
  partition_tag integer  DEFAULT 0,
  mail_id    bytea   NOT NULL,
  chunk_ind  integer NOT NULL CHECK (chunk_ind >= 0),
  mail_text  bytea   NOT NULL,
  PRIMARY KEY (partition_tag,mail_id,chunk_ind)
);
