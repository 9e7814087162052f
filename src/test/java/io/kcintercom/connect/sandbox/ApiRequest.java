package io.kcintercom.connect.sandbox;

import java.util.List;
import java.util.Map;

/** One parsed request, as the endpoint handlers see it; {@code apiVersion} is its Intercom-Version header or null. */
record ApiRequest(String method, String path, List<String> pathParams, Map<String, String> query, byte[] body,
                  String baseUrl, String apiVersion) {

    /** Whether the request asks for API version {@code major.minor} or later (Unstable and Preview are the latest). */
    boolean versionAtLeast(int major, int minor) {
        if (apiVersion == null) {
            return false;
        }
        if (apiVersion.equalsIgnoreCase("Unstable") || apiVersion.equalsIgnoreCase("Preview")) {
            return true;
        }
        String[] parts = apiVersion.trim().split("\\.");
        try {
            int ma = Integer.parseInt(parts[0]);
            int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return ma > major || (ma == major && mi >= minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The {id} of templates like /contacts/{id}/tags. */
    String id() {
        return pathParams.get(0);
    }

    String param(String name) {
        return query.get(name);
    }

    /** A positive integer query parameter, at most {@code max}. */
    int intParam(String name, int defaultValue, int max) {
        String v = query.get(name);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        if (!v.matches("\\d{1,9}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > max) {
            throw ApiError.invalid(name + " must be an integer between 1 and " + max);
        }
        return Integer.parseInt(v);
    }
}
