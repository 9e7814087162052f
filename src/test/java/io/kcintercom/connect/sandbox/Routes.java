package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Maps "METHOD /path" to a handler by endpoint template, e.g. "GET /contacts/{id}/tags". */
final class Routes {

    interface Endpoint {
        JsonNode handle(ApiRequest request);
    }

    record Route(String method, String template, Pattern pattern, Endpoint endpoint) {
        /** The key used for request counts and fault injection. */
        String key() {
            return method + " " + template;
        }
    }

    record Match(Route route, List<String> pathParams) {
    }

    private final List<Route> routes = new ArrayList<>();

    Routes add(String method, String template, Endpoint endpoint) {
        String regex = Pattern.quote(template).replace("{id}", "\\E([^/]+)\\Q");
        routes.add(new Route(method, template, Pattern.compile(regex), endpoint));
        return this;
    }

    /** null when no template matches; literal templates win because they are registered first. */
    Match match(String method, String path) {
        for (Route r : routes) {
            if (!r.method().equals(method)) {
                continue;
            }
            Matcher m = r.pattern().matcher(path);
            if (m.matches()) {
                List<String> params = new ArrayList<>();
                for (int g = 1; g <= m.groupCount(); g++) {
                    params.add(m.group(g));
                }
                return new Match(r, params);
            }
        }
        return null;
    }

    Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>();
        routes.forEach(r -> keys.add(r.key()));
        return keys;
    }
}
