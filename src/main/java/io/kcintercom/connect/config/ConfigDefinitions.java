package io.kcintercom.connect.config;

import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.*;

import io.kcintercom.connect.config.ConfigValidators.FixedRecommender;
import io.kcintercom.connect.resource.BadObjects;
import io.kcintercom.connect.resource.RecordFactory;
import io.kcintercom.connect.table.Tables;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import java.util.List;

/**
 * The definition of every key users set: type, default, validator, importance, documentation,
 * group and order, as Connect's REST API and the generated README reference show them. The key
 * names and the parsed accessors are in {@link IntercomSourceConnectorConfig}.
 */
final class ConfigDefinitions {
    private static final String GROUP_CONNECTION = "Intercom connection";
    private static final String GROUP_DATA = "What to sync";
    private static final String GROUP_SYNC = "Sync schedule";
    private static final String GROUP_HTTP = "HTTP and retries";
    private static final String GROUP_STATE = "State topic";

    private ConfigDefinitions() {
    }

    static ConfigDef build() {
        ConfigDef def = new ConfigDef();
        int order = 0;
        def.define(ACCESS_TOKEN, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, new ConfigValidators.NonBlankPassword(),
                Importance.HIGH,
                "Access token of an Intercom app (Developer Hub > your app > Authentication) with the read "
                        + "scopes for users, companies, conversations, admins and tags. Sent as a Bearer token; "
                        + "never logged. Prefer a ConfigProvider reference such as "
                        + "${file:/etc/kafka/secrets.properties:intercom.access.token}.",
                GROUP_CONNECTION, ++order, Width.LONG, "Access token");
        def.define(REGION, Type.STRING, Region.US.configValue(),
                ConfigDef.CaseInsensitiveValidString.in(Region.configValues().toArray(String[]::new)),
                Importance.HIGH,
                "Region that hosts the workspace: us (api.intercom.io), eu (api.eu.intercom.io) or "
                        + "au (api.au.intercom.io). A workspace is only reachable through its own region.",
                GROUP_CONNECTION, ++order, Width.SHORT, "Region", new FixedRecommender(Region.configValues()));
        def.define(API_URL, Type.STRING, "", new ConfigValidators.ApiUrl(), Importance.LOW,
                "Base URL of the Intercom API, overriding the region: scheme, host and port only, no path, "
                        + "query or user info. One of Intercom's regional hosts (https://api.intercom.io, "
                        + "https://api.eu.intercom.io, https://api.au.intercom.io); any other host, loopback "
                        + "included (a proxy, a test server), only with " + API_URL_ALLOW_CUSTOM + "=true. Must "
                        + "be https unless it points to a loopback address. Blank uses the region's host.",
                GROUP_CONNECTION, ++order, Width.LONG, "API base URL");
        def.define(API_URL_ALLOW_CUSTOM, Type.BOOLEAN, false, Importance.LOW,
                "Whether " + API_URL + " may name a host other than Intercom's regional API hosts, such as a "
                        + "proxy or a test server. Off by default, so that whoever can write a config through "
                        + "the worker's REST API cannot make the worker send requests (and the token) to an "
                        + "address of their choosing, an internal one included.",
                GROUP_CONNECTION, ++order, Width.SHORT, "Allow a custom API host");
        def.define(API_VERSION, Type.STRING, "2.17", new ConfigDef.NonEmptyStringWithoutControlChars(),
                Importance.MEDIUM,
                "Intercom API version, sent as the Intercom-Version header on every request so the app's "
                        + "default version in the Developer Hub never changes what the connector reads. 2.11 to "
                        + "2.17 read the same rows. 2.16 and later also read the deleted conversations listing "
                        + "after every pass (before 2.16 deleted conversations are retracted only by the "
                        + "reconciliation sweep), and 2.17 searches contacts by the exact second instead of the "
                        + "whole day, so a pass after a bulk change or from intercom.since reads only what "
                        + "changed. The README's API versions section lists what each version changes.",
                GROUP_CONNECTION, ++order, Width.SHORT, "API version",
                new FixedRecommender(List.of("2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "2.17")));
        def.define(TOKEN_CHECK, Type.BOOLEAN, true, Importance.LOW,
                "Whether validating a config (PUT /connector-plugins/.../config/validate, and creating or "
                        + "updating the connector) calls GET /me with the token, once the connection keys are "
                        + "valid, and reports the key to fix: " + ACCESS_TOKEN + " when Intercom refuses the "
                        + "token, " + REGION + " when it belongs to another region, " + API_URL + " when the "
                        + "API is unreachable. Redirects are not followed. Turn off where the worker validating "
                        + "configs cannot reach Intercom.",
                GROUP_CONNECTION, ++order, Width.SHORT, "Check the token live");

        order = 0;
        def.define(TEMPLATE, Type.STRING, Template.ALL.configValue(),
                ConfigDef.CaseInsensitiveValidString.in(Template.configValues().toArray(String[]::new)),
                Importance.HIGH,
                "Ready-made table selection: basic (users, leads and their child tables, notes, "
                        + "events_summary, companies, admins, tags, segments), conversations (conversations and "
                        + "their parts with child tables) or all. Ignored when " + TABLES + " is set.",
                GROUP_DATA, ++order, Width.SHORT, "Template", new FixedRecommender(Template.configValues()));
        def.define(TABLES, Type.LIST, "", new ConfigValidators.TableList(), Importance.HIGH,
                "Explicit comma-separated list of tables to produce, overriding the template. Valid names: "
                        + String.join(", ", Tables.all().keySet()) + ".",
                GROUP_DATA, ++order, Width.LONG, "Tables",
                new FixedRecommender(List.copyOf(Tables.all().keySet())));
        def.define(SINCE, Type.STRING, "", new ConfigValidators.Since(), Importance.MEDIUM,
                "Lower bound of the first sync, as an ISO-8601 date or date-time (e.g. 2024-01-01 or "
                        + "2024-01-01T00:00:00Z): objects last updated before it are not read. Blank reads "
                        + "everything. Only applies when no offset is stored yet, or when a resource starts "
                        + "over (another workspace, a table enabled). The reconciliation sweeps and the event "
                        + "summary backfill keep to the bound the resource started with (kept in its offset as "
                        + "since): they list and read only objects updated since then, and a later change of "
                        + "this key changes neither.",
                GROUP_DATA, ++order, Width.MEDIUM, "Start from");
        def.define(TOPIC_PREFIX, Type.STRING, "intercom.", new ConfigValidators.TopicPrefix(), Importance.MEDIUM,
                "Prefix of every topic name: each table goes to <prefix><table>, e.g. intercom.users.",
                GROUP_DATA, ++order, Width.MEDIUM, "Topic prefix");
        def.define(BAD_OBJECTS, Type.STRING, BadObjects.Policy.SKIP.configValue(),
                ConfigDef.CaseInsensitiveValidString.in("skip", "fail"), Importance.LOW,
                "What to do with an object the connector cannot turn into a row (a field of an unexpected "
                        + "type, a missing id, a value that does not parse; an ISO date where a timestamp is "
                        + "expected or a number as a string are read as such): skip, the default, skips it and "
                        + "goes on with the rest of the page, counting it in the resource's bad-objects-total "
                        + "metric and logging its id and column at WARN (the JSON goes to " + ERRORS_TOPIC
                        + " when set); fail fails the task naming the object.",
                GROUP_DATA, ++order, Width.SHORT, "Bad objects", new FixedRecommender(List.of("skip", "fail")));
        def.define(ERRORS_TOPIC, Type.STRING, "", ConfigDef.LambdaValidator.with(
                        ConfigDefinitions::validateErrorsTopic,
                        () -> "empty, or a topic name: letters, digits, '.', '_' and '-', at most 249"),
                Importance.LOW,
                "Topic for the objects skipped under " + BAD_OBJECTS + "=skip, like Connect's dead letter "
                        + "queue: the object's raw JSON as the value (its id as the key), and in headers "
                        + RecordFactory.HEADER_PREFIX + "reason, resource, table, column, id and context. "
                        + "Written with the rows it sits between, so it commits with them (also under "
                        + "exactly-once). Empty, the default, keeps no copy: the object is only counted and "
                        + "logged. Its content may be personal data: protect the topic like the table topics.",
                GROUP_DATA, ++order, Width.MEDIUM, "Errors topic");

        order = 0;
        def.define(POLL_INTERVAL_MS, Type.LONG, 30_000L, ConfigDef.Range.between(0L, 86_400_000L), Importance.MEDIUM,
                "Time between the end of one incremental pass over users, leads or conversations and the "
                        + "start of the next, while passes find changes; after a pass that finds none the wait "
                        + "grows, up to " + POLL_INTERVAL_MAX_MS + ".",
                GROUP_SYNC, ++order, Width.SHORT, "Poll interval (ms)");
        def.define(POLL_INTERVAL_MAX_MS, Type.LONG, DEFAULT_POLL_INTERVAL_MAX_MS, ConfigDef.Range.between(0L, 86_400_000L),
                Importance.LOW,
                "Longest time between two incremental passes over users, leads or conversations while "
                        + "nothing changes. After a pass that emitted nothing the next one waits twice as long "
                        + "as the last wait, up to this; a pass that emits something brings the wait back to "
                        + POLL_INTERVAL_MS + ". An idle pass costs a search page whatever the workspace's size: "
                        + "at 5 minutes a day without change costs under 900 search requests instead of 8,600 "
                        + "at a fixed 30 s, and a change on a quiet workspace shows within this time plus one "
                        + "pass. Must be at least " + POLL_INTERVAL_MS + "; when not set, the larger of "
                        + DEFAULT_POLL_INTERVAL_MAX_MS + " and " + POLL_INTERVAL_MS + ".",
                GROUP_SYNC, ++order, Width.SHORT, "Max poll interval (ms)");
        def.define(COMPANIES_POLL_INTERVAL_MS, Type.LONG, 21_600_000L, ConfigDef.Range.between(0L, 86_400_000L),
                Importance.LOW,
                "Time between two scrolls over all companies, so companies are at most about this old. The "
                        + "companies API has no updated_at filter, so each pass reads every company and emits "
                        + "the changed ones, and while it runs it holds the workspace's one scroll, which every "
                        + "other app on the workspace then waits for: 6 hours keeps it under 5% of the day at "
                        + "50,000 companies (about 8 minutes a pass).",
                GROUP_SYNC, ++order, Width.SHORT, "Companies poll interval (ms)");
        def.define(RECONCILE_INTERVAL_MS, Type.LONG, 86_400_000L, ConfigDef.Range.between(0L, 604_800_000L),
                Importance.LOW,
                "Time between two reconciliation sweeps. A sweep lists the ids that exist (contacts and "
                        + "conversations 150 to a search page, segment members by segment) and retracts what "
                        + "Intercom removed without a signal the incremental passes can see: deleted objects, "
                        + "converted or merged leads, tags, companies and segment memberships that changed "
                        + "without updated_at moving. 0 disables sweeps.",
                GROUP_SYNC, ++order, Width.SHORT, "Reconcile interval (ms)");
        def.define(RECONCILE_FULL_INTERVAL_MS, Type.LONG, 604_800_000L, ConfigDef.Range.between(0L, 2_592_000_000L),
                Importance.LOW,
                "Longest time between two reconciliation sweeps that list everything. A sweep in between is "
                        + "gated by counts: users, leads and conversations read their first search page and "
                        + "stop there when its total_count equals the number of objects the state topic holds, "
                        + "and each segment likewise stops after its first page when its count equals the "
                        + "stored memberships (2M contacts in 20 segments: about 45 requests instead of about "
                        + "28,000). What a gated sweep can miss, the next full one corrects: a delete offset by "
                        + "a creation the passes have not emitted yet, a tag, company, social profile or note "
                        + "added or removed without updated_at moving, a segment member swapped for another. "
                        + "0 makes every sweep list in full. A resource or segment of at most "
                        + "intercom.reconcile.gate.min.objects objects is listed in full at every sweep. The "
                        + "sweep at the end of a first sync is gated (that sync has just read every object) and "
                        + "counts as full; the first sweep after a restart mid-sync or an upgrade lists in full.",
                GROUP_SYNC, ++order, Width.SHORT, "Full reconcile interval (ms)");
        def.define(RECONCILE_GATE_MIN_OBJECTS, Type.LONG, 15_000L, ConfigDef.Range.atLeast(0L),
                Importance.LOW,
                "Size from which a sweep may be gated by counts: users, leads or conversations whose search "
                        + "counts at most this many objects, and segments with at most this many members of a "
                        + "role, are listed in full at every sweep whatever the counts (at most 100 search "
                        + "pages each), so a small workspace is reconciled exactly every "
                        + "intercom.reconcile.interval.ms. Larger ones are gated between full sweeps "
                        + "(intercom.reconcile.full.interval.ms). 0 gates every size.",
                GROUP_SYNC, ++order, Width.SHORT, "Gate sweeps from (objects)");
        def.define(REFRESH_INTERVAL_MS, Type.LONG, 3_600_000L, ConfigDef.Range.between(0L, 604_800_000L),
                Importance.LOW,
                "Time between two full refreshes of admins, teams, tags and segments (which have no cursor). "
                        + "Only rows whose content changed are emitted.",
                GROUP_SYNC, ++order, Width.SHORT, "Refresh interval (ms)");
        def.define(SEARCH_DELAY_MS, Type.LONG, 180_000L, ConfigDef.Range.between(0L, 86_400_000L), Importance.LOW,
                "Objects updated less than this long ago wait for the next pass. Intercom's search index "
                        + "lags behind writes by up to a few minutes; without this window an object indexed late "
                        + "with an older updated_at would be skipped for ever (as timestamp.delay.interval.ms "
                        + "in kafka-connect-jdbc).",
                GROUP_SYNC, ++order, Width.SHORT, "Search delay (ms)");
        def.define(BATCH_MAX_RECORDS, Type.INT, 2_000, ConfigDef.Range.between(1, 100_000), Importance.LOW,
                "Maximum number of records one poll() returns to the worker.",
                GROUP_SYNC, ++order, Width.SHORT, "Max records per batch");

        order = 0;
        def.define(MAX_IN_FLIGHT_REQUESTS, Type.INT, 64, ConfigDef.Range.between(1, 256), Importance.MEDIUM,
                "Maximum concurrent follow-up requests per task (contact notes and event summaries; "
                        + "conversation parts). All requests of a worker that use the same token share one pacer "
                        + "fed by Intercom's X-RateLimit headers, so this bounds latency, not the request rate: "
                        + "a task reaches about this many requests divided by Intercom's response time per "
                        + "second (64 at 0.2 s: 320/s, above the 167/s of 10,000 a minute), and the pacer holds "
                        + "it to the rate limit without 429s. Lower it only to spare a slow or fragile API.",
                GROUP_HTTP, ++order, Width.SHORT, "Max in-flight requests");
        def.define(REQUEST_TIMEOUT_MS, Type.INT, 60_000, ConfigDef.Range.between(1_000, 600_000), Importance.LOW,
                "Timeout of one HTTP request (connect, read and write).",
                GROUP_HTTP, ++order, Width.SHORT, "Request timeout (ms)");
        def.define(RETRY_BACKOFF_MS, Type.LONG, 1_000L, ConfigDef.Range.between(1L, 600_000L), Importance.LOW,
                "First wait before retrying a failed request (5xx, timeout, connection error, bad body); "
                        + "doubles on each attempt, with jitter.",
                GROUP_HTTP, ++order, Width.SHORT, "Retry backoff (ms)");
        def.define(RETRY_MAX_TIME_MS, Type.LONG, 300_000L, ConfigDef.Range.between(0L, 86_400_000L), Importance.LOW,
                "How long one request keeps being retried before its resource gives it up and starts again "
                        + "from its last position (see retry.backoff.max.ms). Waits for the rate limit to reset "
                        + "do not count.",
                GROUP_HTTP, ++order, Width.SHORT, "Retry max time (ms)");
        def.define(RETRY_BACKOFF_MAX_MS, Type.LONG, 300_000L, ConfigDef.Range.between(1_000L, 3_600_000L),
                Importance.LOW, "Longest wait between two attempts of a resource that keeps failing in a way "
                        + "that can heal (5xx, timeouts, connection errors, a held or lost scroll): after "
                        + "retry.max.time.ms of retrying a request, the resource starts again from its last "
                        + "position after a wait that doubles up to this cap. The task keeps running.",
                GROUP_HTTP, ++order, Width.SHORT, "Retry backoff cap (ms)");
        def.define(OUTAGE_MAX_MS, Type.LONG, 0L, ConfigDef.Range.between(0L, 604_800_000L), Importance.LOW,
                "Fail the task when one resource has been failing for longer than this (an alert through "
                        + "the task's FAILED state). 0, the default, waits out any outage; its progress is "
                        + "visible in the outage metrics and the logs.",
                GROUP_HTTP, ++order, Width.SHORT, "Max outage (ms)");
        def.define(RATE_LIMIT_SHARE, Type.DOUBLE, 1.0, new ConfigValidators.Share(), Importance.LOW,
                "Part of Intercom's rate limit this connector may use, in (0, 1]: with 0.6, it leaves 40 % of "
                        + "every 10-second window to the other apps on the workspace, counting what Intercom "
                        + "reports left, whoever spent it. Every worker of the cluster keeps to it together: "
                        + "each paces itself from the X-RateLimit headers and takes a smaller part of what is left "
                        + "when others spend the same window.",
                GROUP_HTTP, ++order, Width.SHORT, "Rate limit share");
        defineState(def);
        return def;
    }

    /** Where the task keeps the keys it emitted, which retractions are computed from. */
    private static void defineState(ConfigDef def) {
        int order = 0;
        def.define(STATE_TOPIC, Type.STRING, "", ConfigDef.LambdaValidator.with(
                        ConfigDefinitions::validateErrorsTopic,
                        () -> "empty, or a topic name: letters, digits, '.', '_' and '-', at most 249"),
                Importance.LOW,
                "Compacted topic where the tasks keep, per contact, company and conversation, the keys of the "
                        + "child rows they emitted (tag, company, segment ids...), so that a child row the object "
                        + "no longer has, or an object that is gone, is retracted with a tombstone. Written in "
                        + "the same batch (and transaction, under exactly-once) as the rows, read back when a "
                        + "task starts. Empty, the default, uses " + STATE_TOPIC_DEFAULT_PREFIX
                        + "<connector name>; the task creates it (cleanup.policy=compact) when missing.",
                GROUP_STATE, ++order, Width.MEDIUM, "State topic");
        def.define(STATE_KAFKA_BOOTSTRAP_SERVERS, Type.STRING, "", Importance.LOW,
                "Kafka cluster of the state topic, for the consumer that reads it back and the admin client "
                        + "that creates it; the records themselves go through the worker's producer, so it must "
                        + "be the cluster the worker writes to. Further client settings (security.protocol, "
                        + "ssl.*, sasl.*) pass through as " + STATE_KAFKA_PREFIX + "<setting>. Empty, the "
                        + "default, uses the worker's own client settings. When neither works the task runs "
                        + "without the state topic: nothing is retracted, and it logs a WARN naming this key.",
                GROUP_STATE, ++order, Width.LONG, "State topic Kafka servers");
    }

    private static void validateErrorsTopic(String name, Object value) {
        String topic = value == null ? "" : ((String) value).trim();
        if (topic.isEmpty()) {
            return;
        }
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}") || topic.equals(".") || topic.equals("..")) {
            throw new ConfigException(name, value, "must be empty or a valid topic name: letters, digits, '.', "
                    + "'_' and '-', at most 249 characters");
        }
    }
}
