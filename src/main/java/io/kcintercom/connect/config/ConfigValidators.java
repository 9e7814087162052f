package io.kcintercom.connect.config;

import io.kcintercom.connect.table.Tables;
import java.net.URI;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The validators of {@link IntercomSourceConnectorConfig}'s keys. Each throws only
 * {@link ConfigException}, naming its key, and passes a null value: null means the value is missing
 * or did not parse, which Kafka's {@code ConfigDef} has already reported on that key, so a second
 * error there would only repeat the first.
 */
final class ConfigValidators {
    private ConfigValidators() {
    }

    /** Whether a host name is a loopback address, where plain http is allowed. */
    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        // 127.x.y.z only as an IPv4 literal: "127.example.com" is a DNS name like any other.
        return h.equalsIgnoreCase("localhost") || h.matches("127(\\.\\d{1,3}){3}") || h.equals("::1");
    }

    static final class NonBlankPassword implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value != null && (((Password) value).value() == null || ((Password) value).value().isBlank())) {
                throw new ConfigException(name + " must be set to the Intercom access token");
            }
        }

        @Override
        public String toString() {
            return "a non-blank token";
        }
    }

    /**
     * The form of {@code intercom.api.url}: an http(s) origin, nothing more. Request paths such as
     * {@code /contacts/search} are appended to it, so a path, a query or a fragment would turn every
     * request into another one; user info would be a second credential. Which hosts it may name
     * depends on {@code intercom.api.url.allow.custom}, another key: see {@link #checkHost}.
     */
    static final class ApiUrl implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String url = value == null ? "" : ((String) value).trim();
            if (url.isEmpty()) {
                return;
            }
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, url, "is not a valid URL");
            }
            String scheme = uri.getScheme();
            if (uri.getHost() == null || scheme == null
                    || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))) {
                throw new ConfigException(name, url, "must be an http(s) URL such as https://api.intercom.io");
            }
            if (uri.getRawUserInfo() != null) {
                // Not echoed: the user info may hold a password.
                throw new ConfigException(name + " must not contain user info (user:password@): the access "
                        + "token is the only credential sent");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new ConfigException(name, url, "must not contain a query (?...) or a fragment (#...)");
            }
            String path = uri.getRawPath();
            if (path != null && !path.isEmpty() && !path.equals("/")) {
                throw new ConfigException(name, url, "must not contain a path: it names the API host only "
                        + "(scheme, host and port), and request paths such as /me are appended to it");
            }
            if (scheme.equalsIgnoreCase("http") && !isLoopback(uri.getHost())) {
                throw new ConfigException(name, url,
                        "must use https: the access token may only travel in clear text to a loopback address");
            }
        }

        @Override
        public String toString() {
            return "blank, or https://host[:port] without path, query or user info: one of Intercom's "
                    + "regional hosts, or any host with " + IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM
                    + "=true (http only for loopback)";
        }
    }

    /** Whether the URL, well formed as {@link ApiUrl} wants it, names a regional Intercom API host. */
    static boolean isRegionalHost(String url) {
        URI uri = URI.create(url.trim());
        int port = uri.getPort();
        return "https".equalsIgnoreCase(uri.getScheme()) && (port == -1 || port == 443)
                && Arrays.stream(Region.values()).anyMatch(r -> URI.create(r.baseUrl()).getHost()
                        .equalsIgnoreCase(uri.getHost()));
    }

    /**
     * The check across {@code intercom.api.url} and {@code intercom.api.url.allow.custom}: a host
     * other than Intercom's regional ones (a proxy, a test server, loopback too) only with the
     * opt-in, so a config written through a worker's REST API cannot make the worker request an
     * internal address. Throws {@link ConfigException} on the URL's key; a blank URL passes.
     */
    static void checkHost(String url, boolean allowCustom) {
        String trimmed = url == null ? "" : url.trim();
        if (trimmed.isEmpty() || allowCustom || isRegionalHost(trimmed)) {
            return;
        }
        throw new ConfigException(IntercomSourceConnectorConfig.API_URL, trimmed, "is not one of Intercom's "
                + "API hosts (" + Arrays.stream(Region.values()).map(Region::baseUrl).collect(Collectors.joining(", "))
                + "); set " + IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM + "=true to use another host, "
                + "such as a proxy or a test server, or leave " + IntercomSourceConnectorConfig.API_URL
                + " blank and set " + IntercomSourceConnectorConfig.REGION);
    }

    static final class TableList implements ConfigDef.Validator {
        @Override
        @SuppressWarnings("unchecked")
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            List<String> unknown = new ArrayList<>();
            for (String table : (List<String>) value) {
                if (!Tables.all().containsKey(table.trim().toLowerCase(Locale.ROOT))) {
                    unknown.add(table.trim());
                }
            }
            if (!unknown.isEmpty()) {
                throw new ConfigException(name, String.join(",", (List<String>) value),
                        "unknown table(s) " + unknown + "; valid tables are " + Tables.all().keySet());
            }
        }

        @Override
        public String toString() {
            return "a list of: " + String.join(", ", Tables.all().keySet());
        }
    }

    static final class Since implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String since = value == null ? "" : ((String) value).trim();
            if (since.isEmpty()) {
                return;
            }
            try {
                IntercomSourceConnectorConfig.parseSince(since);
            } catch (DateTimeParseException e) {
                throw new ConfigException(name, since,
                        "is not an ISO-8601 date or date-time (e.g. 2024-01-01 or 2024-01-01T00:00:00Z)");
            }
        }

        @Override
        public String toString() {
            return "blank, or an ISO-8601 date or date-time";
        }
    }

    static final class TopicPrefix implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value != null && !((String) value).matches("[a-zA-Z0-9._-]*")) {
                throw new ConfigException(name, value,
                        "may only contain letters, digits, '.', '_' and '-' (it starts topic names)");
            }
        }

        @Override
        public String toString() {
            return "letters, digits, '.', '_' and '-'";
        }
    }

    /** A part of a whole: more than 0, at most 1. */
    static final class Share implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value != null && !((Double) value > 0 && (Double) value <= 1)) {
                throw new ConfigException(name, value, "must be more than 0 and at most 1");
            }
        }

        @Override
        public String toString() {
            return "(0, 1]";
        }
    }

    /** Recommends a fixed set of values (shown by the Connect REST API's validate endpoint). */
    record FixedRecommender(List<String> values) implements ConfigDef.Recommender {
        @Override
        public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
            return List.copyOf(values);
        }

        @Override
        public boolean visible(String name, Map<String, Object> parsedConfig) {
            return true;
        }
    }
}
