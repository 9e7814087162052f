package io.kcintercom.connect.client;

import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.ACCESS_TOKEN;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.API_URL;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.API_VERSION;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.REGION;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.TOKEN_CHECK;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.config.Region;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live check behind the connector's validate(): one {@code GET /me} with the configured token,
 * turned into a problem on the key a user must fix: "refused" on the token, "wrong region" on the
 * region, "unreachable" on the API URL. Never retried, never longer than a few seconds.
 *
 * <p>Anyone who can reach a worker's REST API can make it run this check against a URL of their
 * choosing, so it answers with a fixed message per outcome: never the token, never a response
 * body, never a status code or exception other than 401 and 403 (an unreachable host and a host
 * answering 500, a redirect or HTML look alike). Redirects are never followed. The details go to the
 * worker's log.
 */
public final class TokenCheck {
    private static final Logger log = LoggerFactory.getLogger(TokenCheck.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** /me is a small object; a bigger body is not Intercom and is not read further. */
    private static final long MAX_BODY_BYTES = 64 * 1024;
    /**
     * One connection pool and dispatcher for every check of the worker: validations come one at a
     * time, a few idle connections are enough, and none outlives a minute.
     */
    private static final OkHttpClient BASE_HTTP = new OkHttpClient.Builder()
            .followRedirects(false)
            .followSslRedirects(false)
            .retryOnConnectionFailure(false)
            .connectionPool(new ConnectionPool(2, 1, TimeUnit.MINUTES))
            .build();

    private final OkHttpClient http;
    private final Map<Region, String> regionHosts;

    /** What to fix, and on which config key: the message never carries the token or a response. */
    public record Problem(String key, String message) {
    }

    public TokenCheck(Duration timeout) {
        this(timeout, regionHosts());
    }

    TokenCheck(Duration timeout, Map<Region, String> regionHosts) {
        this.http = BASE_HTTP.newBuilder().callTimeout(timeout).connectTimeout(timeout).readTimeout(timeout).build();
        this.regionHosts = Map.copyOf(regionHosts);
    }

    private static Map<Region, String> regionHosts() {
        Map<Region, String> hosts = new EnumMap<>(Region.class);
        for (Region region : Region.values()) {
            hosts.put(region, region.baseUrl());
        }
        return hosts;
    }

    /**
     * The problem with the token, or empty when Intercom accepts it. Never throws.
     *
     * @param apiUrlOverride the configured intercom.api.url without a trailing slash, or null when
     *                       the region's host is used
     */
    public Optional<Problem> problem(String token, Region region, String apiUrlOverride, String apiVersion) {
        if (!isHeaderSafe(token)) {
            return Optional.of(new Problem(ACCESS_TOKEN, "refused: " + ACCESS_TOKEN + " contains a line break or "
                    + "another character an HTTP header cannot carry; set it to the token alone"));
        }
        if (!isHeaderSafe(apiVersion)) {
            return Optional.of(new Problem(API_VERSION, API_VERSION + " may only contain printable ASCII "
                    + "characters: it is sent as the Intercom-Version header"));
        }
        String baseUrl = apiUrlOverride != null ? apiUrlOverride : regionHosts.get(region);
        Answer answer = me(baseUrl, token, apiVersion);
        switch (answer.outcome) {
            case ACCEPTED -> {
                if (apiUrlOverride == null && answer.region != null && answer.region != region) {
                    return Optional.of(wrongRegion(answer.region));
                }
                return Optional.empty();
            }
            case REFUSED, FORBIDDEN -> {
                if (apiUrlOverride == null) {
                    // A token is valid only on its workspace's regional host: look for the right one.
                    for (Map.Entry<Region, String> other : regionHosts.entrySet()) {
                        if (other.getKey() != region
                                && me(other.getValue(), token, apiVersion).outcome == Outcome.ACCEPTED) {
                            return Optional.of(wrongRegion(other.getKey()));
                        }
                    }
                }
                return Optional.of(answer.outcome == Outcome.REFUSED ? refused(baseUrl) : forbidden(baseUrl));
            }
            default -> {
                return Optional.of(unreachable(baseUrl));
            }
        }
    }

    private static Problem refused(String baseUrl) {
        return new Problem(ACCESS_TOKEN, "refused: Intercom at " + baseUrl + " did not accept " + ACCESS_TOKEN
                + " (HTTP 401 to GET /me). The token is wrong, revoked, or lacks the read scopes: set it to an "
                + "access token of the workspace's Intercom app.");
    }

    private static Problem forbidden(String baseUrl) {
        return new Problem(ACCESS_TOKEN, "refused: Intercom at " + baseUrl + " denied the permission to read "
                + "the workspace with " + ACCESS_TOKEN + " (HTTP 403 to GET /me). Give the app the read "
                + "permissions (Developer Hub > your app > Authentication) or use another app's token.");
    }

    private static Problem unreachable(String baseUrl) {
        return new Problem(API_URL, "unreachable: GET /me at " + baseUrl + " did not answer as the Intercom API "
                + "does (no connection, a timeout, a redirect, or an error). Check the network from the Connect "
                + "worker and " + API_URL + ", or set " + TOKEN_CHECK + "=false where the validating worker "
                + "cannot reach Intercom.");
    }

    private static Problem wrongRegion(Region actual) {
        return new Problem(REGION, "wrong region: the token's workspace is hosted in "
                + actual.configValue().toUpperCase(Locale.ROOT) + "; set " + REGION + "=" + actual.configValue());
    }

    private static boolean isHeaderSafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\t' && (c < 0x20 || c > 0x7e)) {
                return false;
            }
        }
        return true;
    }

    private enum Outcome { ACCEPTED, REFUSED, FORBIDDEN, UNREACHABLE }

    private record Answer(Outcome outcome, Region region) {
        static final Answer UNREACHABLE = new Answer(Outcome.UNREACHABLE, null);
    }

    private Answer me(String baseUrl, String token, String apiVersion) {
        HttpUrl url = HttpUrl.parse(baseUrl + "/me");
        if (url == null) {
            return Answer.UNREACHABLE;
        }
        Request.Builder request = new Request.Builder().url(url).get();
        try (Response response = http.newCall(request
                .header("Authorization", "Bearer " + token)
                .header("Intercom-Version", apiVersion)
                .header("Accept", "application/json")
                .build()).execute()) {
            int status = response.code();
            if (status == 401) {
                return new Answer(Outcome.REFUSED, null);
            }
            if (status == 403) {
                return new Answer(Outcome.FORBIDDEN, null);
            }
            if (status < 200 || status >= 300) {
                log.info("Token check: GET /me at {} answered HTTP {}", url.host(), status);
                return Answer.UNREACHABLE;
            }
            JsonNode me = MAPPER.readTree(response.peekBody(MAX_BODY_BYTES).string());
            if (me == null || !me.isObject()) {
                log.info("Token check: GET /me at {} answered HTTP {} without a JSON object", url.host(), status);
                return Answer.UNREACHABLE;
            }
            return new Answer(Outcome.ACCEPTED, region(me.path("app").path("region")));
        } catch (IOException | RuntimeException e) {
            // A body that is not JSON lands here too; only its exception class is logged, never its text.
            log.info("Token check: GET /me at {} failed: {}", url.host(), e.getClass().getSimpleName());
            return Answer.UNREACHABLE;
        }
    }

    private static Region region(JsonNode value) {
        if (!value.isTextual()) {
            return null;
        }
        try {
            return Region.fromConfig(value.asText());
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }
}
