package io.kcintercom.connect.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Intercom's hosting regions: a workspace is reachable only through its region's host. */
public enum Region {
    US("https://api.intercom.io"),
    EU("https://api.eu.intercom.io"),
    AU("https://api.au.intercom.io");

    private final String baseUrl;

    Region(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String baseUrl() {
        return baseUrl;
    }

    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Region fromConfig(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    public static List<String> configValues() {
        return Arrays.stream(values()).map(Region::configValue).toList();
    }
}
