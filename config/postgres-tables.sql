-- The tables of the reference warehouse (README, "Reference warehouse setup"), for topic.prefix intercom.
-- Run once before creating the sink: the Debezium JDBC sink cannot create a table from a
-- tombstone, so a delete reaching a table it never created would stop it. Generated from the
-- table contract; PostgresTablesTest keeps this file equal to it.

CREATE TABLE IF NOT EXISTS intercom_users (
  type text,
  id text NOT NULL,
  created_at timestamp,
  signed_up_at timestamp,
  updated_at timestamp,
  email text,
  phone text,
  user_id text,
  last_request_at timestamp,
  session_count bigint,
  unsubscribed_from_emails boolean,
  marked_email_as_spam boolean,
  has_hard_bounced boolean,
  user_agent_data text,
  last_seen_ip text,
  pseudonym text,
  anonymous boolean,
  name text,
  location_data_city_name text,
  location_data_continent_code text,
  location_data_country_code text,
  location_data_country_name text,
  location_data_latitude double precision,
  location_data_longitude double precision,
  location_data_postal_code text,
  location_data_region_name text,
  location_data_timezone text,
  avatar_image_url text,
  custom_attributes text,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS intercom_users_tags (
  type text,
  id text NOT NULL,
  users_pk text NOT NULL,
  PRIMARY KEY (users_pk, id)
);

CREATE TABLE IF NOT EXISTS intercom_users_segments (
  type text,
  id text NOT NULL,
  users_pk text NOT NULL,
  PRIMARY KEY (users_pk, id)
);

CREATE TABLE IF NOT EXISTS intercom_users_companies (
  type text,
  id text NOT NULL,
  users_pk text NOT NULL,
  PRIMARY KEY (users_pk, id)
);

CREATE TABLE IF NOT EXISTS intercom_users_social_profiles (
  type text,
  id text,
  name text NOT NULL,
  username text,
  url text NOT NULL,
  users_pk text NOT NULL,
  PRIMARY KEY (users_pk, name, url)
);

CREATE TABLE IF NOT EXISTS intercom_notes (
  type text,
  id text NOT NULL,
  created_at timestamp,
  body text,
  user_type text,
  user_id text,
  author_type text,
  author_id text,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS intercom_events_summary (
  user_id text NOT NULL,
  name text NOT NULL,
  count bigint,
  first timestamp,
  last timestamp,
  description text,
  PRIMARY KEY (user_id, name)
);

CREATE TABLE IF NOT EXISTS intercom_leads (
  type text,
  id text NOT NULL,
  created_at timestamp,
  signed_up_at timestamp,
  updated_at timestamp,
  email text,
  phone text,
  user_id text,
  last_request_at timestamp,
  session_count bigint,
  unsubscribed_from_emails boolean,
  marked_email_as_spam boolean,
  has_hard_bounced boolean,
  user_agent_data text,
  last_seen_ip text,
  pseudonym text,
  anonymous boolean,
  name text,
  location_data_city_name text,
  location_data_continent_code text,
  location_data_country_code text,
  location_data_country_name text,
  location_data_latitude double precision,
  location_data_longitude double precision,
  location_data_postal_code text,
  location_data_region_name text,
  location_data_timezone text,
  avatar_image_url text,
  custom_attributes text,
  remote_created_at timestamp,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS intercom_leads_tags (
  type text,
  id text NOT NULL,
  leads_pk text NOT NULL,
  PRIMARY KEY (leads_pk, id)
);

CREATE TABLE IF NOT EXISTS intercom_leads_segments (
  type text,
  id text NOT NULL,
  leads_pk text NOT NULL,
  PRIMARY KEY (leads_pk, id)
);

CREATE TABLE IF NOT EXISTS intercom_leads_companies (
  type text,
  id text NOT NULL,
  leads_pk text NOT NULL,
  PRIMARY KEY (leads_pk, id)
);

CREATE TABLE IF NOT EXISTS intercom_leads_social_profiles (
  type text,
  id text,
  name text NOT NULL,
  username text,
  url text NOT NULL,
  leads_pk text NOT NULL,
  PRIMARY KEY (leads_pk, name, url)
);

CREATE TABLE IF NOT EXISTS intercom_companies (
  type text,
  id text NOT NULL,
  created_at timestamp,
  remote_created_at timestamp,
  updated_at timestamp,
  company_id text,
  name text,
  session_count bigint,
  monthly_spend double precision,
  user_count bigint,
  plan text,
  custom_attributes text,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS intercom_admins (
  type text,
  id text NOT NULL,
  name text,
  email text,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS intercom_tags (
  type text,
  id text NOT NULL,
  name text,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS intercom_segments (
  type text,
  id text NOT NULL,
  name text,
  created_at timestamp,
  updated_at timestamp,
  count bigint,
  person_type text,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS intercom_conversations (
  type text,
  id text NOT NULL,
  created_at timestamp,
  updated_at timestamp,
  waiting_since timestamp,
  snoozed_until timestamp,
  user_type text,
  user_id text,
  assignee_type text,
  assignee_id text,
  conversation_message_type text,
  conversation_message_id text,
  conversation_message_subject text,
  conversation_message_body text,
  conversation_message_author_type text,
  conversation_message_author_id text,
  conversation_message_url text,
  open boolean,
  read boolean,
  state text,
  metadata text,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS intercom_conversations_attachments (
  type text,
  name text,
  url text NOT NULL,
  content_type text,
  filesize bigint,
  width bigint,
  height bigint,
  conversations_pk text NOT NULL,
  PRIMARY KEY (conversations_pk, url)
);

CREATE TABLE IF NOT EXISTS intercom_conversations_tags (
  type text,
  id text NOT NULL,
  conversations_pk text NOT NULL,
  PRIMARY KEY (conversations_pk, id)
);

CREATE TABLE IF NOT EXISTS intercom_conversations_customers (
  type text,
  id text NOT NULL,
  conversations_pk text NOT NULL,
  PRIMARY KEY (conversations_pk, id)
);

CREATE TABLE IF NOT EXISTS intercom_conversation_parts (
  type text,
  id text NOT NULL,
  part_type text,
  body text,
  created_at timestamp,
  updated_at timestamp,
  notified_at timestamp,
  assigned_to_type text,
  assigned_to_id text,
  author_type text,
  author_id text,
  external_id text,
  conversations_pk text,
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS intercom_conversation_parts_attachments (
  type text,
  name text,
  url text NOT NULL,
  content_type text,
  filesize bigint,
  width bigint,
  height bigint,
  conversation_parts_pk text NOT NULL,
  PRIMARY KEY (conversation_parts_pk, url)
);
