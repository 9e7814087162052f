package io.kcintercom.connect.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.config.Region;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The live check behind the connector's validate(): one {@code GET /me} with the configured token,
 * turned into a message for the token key: "refused", "wrong region" or "unreachable". Never
 * retried, never longer than a few seconds, and the token is never part of a message.
 */
public final class TokenCheck {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OkHttpClient http;
    private final Map<Region, String> regionHosts;

    public TokenCheck(Duration timeout) {
        this(timeout, Map.of(Region.US, Region.US.baseUrl(), Region.EU, Region.EU.baseUrl(),
                Region.AU, Region.AU.baseUrl()));
    }

    TokenCheck(Duration timeout, Map<Region, String> regionHosts) {
        this.http = new OkHttpClient.Builder().callTimeout(timeout).connectTimeout(timeout).readTimeout(timeout)
                .build();
        this.regionHosts = regionHosts;
    }

    /**
     * The problem with the token, or empty when Intercom accepts it.
     *
     * @param apiUrlOverride the configured intercom.api.url, or null when the region's host is used
     */
    public Optional<String> problem(String token, Region region, String apiUrlOverride, String apiVersion) {
        String baseUrl = apiUrlOverride != null ? apiUrlOverride : regionHosts.get(region);
        Answer answer = me(baseUrl, token, apiVersion);
        switch (answer.kind) {
            case ACCEPTED -> {
                if (apiUrlOverride == null && answer.region != null && !answer.region.equals(region)) {
                    return Optional.of(wrongRegion(answer.region));
                }
                return Optional.empty();
            }
            case REFUSED -> {
                if (apiUrlOverride == null) {
                    // A token is valid only on its workspace's regional host: look for the right one.
                    for (Map.Entry<Region, String> other : regionHosts.entrySet()) {
                        if (other.getKey() != region && me(other.getValue(), token, apiVersion).kind == Kind.ACCEPTED) {
                            return Optional.of(wrongRegion(other.getKey()));
                        }
                    }
                }
                return Optional.of("refused: Intercom answered HTTP " + answer.status + " to GET /me at " + baseUrl
                        + ". The access token is wrong, revoked, or lacks the read scopes.");
            }
            default -> {
                return Optional.of("unreachable: GET /me at " + baseUrl + " failed (" + answer.detail
                        + "). Check the network from the Connect worker and intercom.api.url.");
            }
        }
    }

    private static String wrongRegion(Region actual) {
        return "wrong region: the token's workspace is hosted in " + actual.configValue().toUpperCase(Locale.ROOT)
                + "; set intercom.region=" + actual.configValue();
    }

    private enum Kind { ACCEPTED, REFUSED, UNREACHABLE }

    private record Answer(Kind kind, int status, Region region, String detail) {
    }

    private Answer me(String baseUrl, String token, String apiVersion) {
        Request request;
        try {
            request = new Request.Builder().url(baseUrl + "/me")
                    .header("Authorization", "Bearer " + token)
                    .header("Intercom-Version", apiVersion)
                    .header("Accept", "application/json")
                    .get().build();
        } catch (IllegalArgumentException e) {
            return new Answer(Kind.UNREACHABLE, 0, null, "not a valid URL");
        }
        try (Response response = http.newCall(request).execute()) {
            int status = response.code();
            if (status == 401 || status == 403) {
                return new Answer(Kind.REFUSED, status, null, null);
            }
            if (status < 200 || status >= 300) {
                return new Answer(Kind.UNREACHABLE, status, null, "HTTP " + status);
            }
            ResponseBody body = response.body();
            JsonNode me = MAPPER.readTree(body == null ? "" : body.string());
            return new Answer(Kind.ACCEPTED, status, region(me == null ? null : me.path("app").path("region")), null);
        } catch (IOException e) {
            return new Answer(Kind.UNREACHABLE, 0, null, e.getClass().getSimpleName());
        }
    }

    private static Region region(JsonNode value) {
        if (value == null || !value.isTextual()) {
            return null;
        }
        try {
            return Region.fromConfig(value.asText());
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }
}
