package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Compiles the {@code query} of a search request into a predicate over one kind of record. Each searchable
 * field is registered with its type. Date fields follow the real API, which the endpoint chooses per request:
 * contacts match whole calendar days in the workspace's time zone up to API 2.16 and the exact UTC second from
 * 2.17; conversations match exact seconds.
 */
final class SearchQuery<T> {

    enum DateMatching {
        /** Contact search up to API 2.16: the value's calendar day in the workspace's zone; =, > and < only. */
        WORKSPACE_DAY,
        /** Conversation search: the exact second; =, !=, > and <. */
        EXACT_SECOND,
        /** Contact search from API 2.17 (and Preview): the exact UTC second, >= and <= accepted too. */
        UTC_SECOND
    }

    private static final int MAX_NESTED_GROUPS = 2;
    private static final int MAX_FILTERS_PER_GROUP = 15;

    private interface FieldFilter<T> {
        Predicate<T> compile(String field, String operator, JsonNode value, DateMatching dates);
    }

    /** How dates match unless a request chooses otherwise. */
    private final DateMatching dates;
    private final ZoneId zone;
    private final Map<String, FieldFilter<T>> fields = new HashMap<>();
    private final Map<String, ToLongFunction<T>> sortable = new HashMap<>();

    SearchQuery(DateMatching dates, ZoneId zone) {
        this.dates = dates;
        this.zone = zone;
        sortable.put("id", t -> 0L);
    }

    /** Operators =, !=, IN, NIN. */
    SearchQuery<T> text(String name, Function<T, String> get) {
        fields.put(name, (field, op, value, dates) -> {
            switch (op) {
                case "=" -> {
                    String v = text(field, value);
                    return t -> Objects.equals(get.apply(t), v);
                }
                case "!=" -> {
                    String v = text(field, value);
                    return t -> !Objects.equals(get.apply(t), v);
                }
                case "IN" -> {
                    Set<String> vs = texts(field, value);
                    return t -> vs.contains(get.apply(t));
                }
                case "NIN" -> {
                    Set<String> vs = texts(field, value);
                    return t -> !vs.contains(get.apply(t));
                }
                default -> throw unsupported(field, op);
            }
        });
        return this;
    }

    /** A number-valued field (e.g. admin_assignee_id); values may be numbers or numeric strings. */
    SearchQuery<T> number(String name, Function<T, Long> get) {
        return text(name, t -> {
            Long v = get.apply(t);
            return v == null ? null : v.toString();
        });
    }

    /** Operators = and != with true/false. */
    SearchQuery<T> bool(String name, Predicate<T> get) {
        fields.put(name, (field, op, value, dates) -> {
            boolean v;
            if (value != null && value.isBoolean()) {
                v = value.asBoolean();
            } else if (value != null && value.isTextual() && value.asText().matches("true|false")) {
                v = Boolean.parseBoolean(value.asText());
            } else {
                throw ApiError.invalid("The value for " + field + " must be true or false");
            }
            return switch (op) {
                case "=" -> t -> get.test(t) == v;
                case "!=" -> t -> get.test(t) != v;
                default -> throw unsupported(field, op);
            };
        });
        return this;
    }

    /** A list-valued field (e.g. contact_ids): = means contains, IN means contains any. */
    SearchQuery<T> contains(String name, Function<T, Collection<String>> get) {
        fields.put(name, (field, op, value, dates) -> {
            switch (op) {
                case "=" -> {
                    String v = text(field, value);
                    return t -> get.apply(t).contains(v);
                }
                case "!=" -> {
                    String v = text(field, value);
                    return t -> !get.apply(t).contains(v);
                }
                case "IN" -> {
                    Set<String> vs = texts(field, value);
                    return t -> get.apply(t).stream().anyMatch(vs::contains);
                }
                case "NIN" -> {
                    Set<String> vs = texts(field, value);
                    return t -> get.apply(t).stream().noneMatch(vs::contains);
                }
                default -> throw unsupported(field, op);
            }
        });
        return this;
    }

    /** A unix-seconds field; also usable as sort field. */
    SearchQuery<T> timestamp(String name, ToLongFunction<T> get) {
        sortable.put(name, get);
        fields.put(name, (field, op, value, dates) -> switch (dates) {
            case EXACT_SECOND -> exactSecond(field, op, seconds(field, value), get);
            case UTC_SECOND -> utcSecond(field, op, seconds(field, value), get);
            case WORKSPACE_DAY -> workspaceDay(field, op, seconds(field, value), get);
        });
        return this;
    }

    /**
     * A unix-seconds field a record may lack (signed_up_at, last_seen_at): a record without it matches no
     * comparison but {@code !=}, which Preview documents as matching contacts with no value. Not sortable.
     */
    SearchQuery<T> optionalTimestamp(String name, Function<T, Long> get) {
        FieldFilter<T> present = new SearchQuery<T>(dates, zone).timestamp(name, t -> get.apply(t)).fields.get(name);
        fields.put(name, (field, op, value, dates) -> {
            Predicate<T> compared = present.compile(field, op, value, dates);
            boolean matchesNone = op.equals("!=");
            return t -> get.apply(t) == null ? matchesNone : compared.test(t);
        });
        return this;
    }

    /** The sort value in seconds for a sortable field, or null. Sorting by id sorts by the tie-breaker alone. */
    ToLongFunction<T> sortKey(String field) {
        return sortable.get(field);
    }

    /**
     * Identifies what a query matches: the same text means something else in another time zone, or
     * under another date matching (another API version).
     */
    String cacheKey(JsonNode query, DateMatching dates) {
        return dates + "|" + zone.getId() + "|" + query;
    }

    String cacheKey(JsonNode query) {
        return cacheKey(query, this.dates);
    }

    Predicate<T> compile(JsonNode query) {
        return compile(query, this.dates);
    }

    /** The query's predicate with dates matched as {@code dates} says (the request's API version chooses). */
    Predicate<T> compile(JsonNode query, DateMatching dates) {
        if (query == null || !query.isObject()) {
            throw ApiError.invalid("query must be an object");
        }
        return node(query, 0, dates);
    }

    private Predicate<T> node(JsonNode n, int groupDepth, DateMatching dates) {
        if (!n.isObject()) {
            throw ApiError.invalid("every filter must be an object");
        }
        String operator = n.path("operator").asText(null);
        if (operator == null) {
            throw ApiError.invalid("every filter needs an operator");
        }
        if (n.has("field")) {
            return fieldFilter(n.path("field").asText(), operator, n.get("value"), dates);
        }
        if (!operator.equals("AND") && !operator.equals("OR")) {
            throw ApiError.invalid("a filter without field must use operator AND or OR, not " + operator);
        }
        if (groupDepth >= MAX_NESTED_GROUPS) {
            throw ApiError.invalid("too many nested filters: at most " + MAX_NESTED_GROUPS + " levels of AND/OR");
        }
        JsonNode members = n.get("value");
        if (members == null || !members.isArray() || members.isEmpty()) {
            throw ApiError.invalid(operator + " needs a non-empty array of filters");
        }
        if (members.size() > MAX_FILTERS_PER_GROUP) {
            throw ApiError.invalid("at most " + MAX_FILTERS_PER_GROUP + " filters in one " + operator + " group");
        }
        List<Predicate<T>> parts = new ArrayList<>();
        members.forEach(m -> parts.add(node(m, groupDepth + 1, dates)));
        return operator.equals("AND") ? all(parts) : any(parts);
    }

    // Plain loops: these run for every record a search looks at, where a stream per call is measurable.
    private static <T> Predicate<T> all(List<Predicate<T>> parts) {
        @SuppressWarnings("unchecked")
        Predicate<T>[] ps = parts.toArray(new Predicate[0]);
        return t -> {
            for (Predicate<T> p : ps) {
                if (!p.test(t)) {
                    return false;
                }
            }
            return true;
        };
    }

    private static <T> Predicate<T> any(List<Predicate<T>> parts) {
        @SuppressWarnings("unchecked")
        Predicate<T>[] ps = parts.toArray(new Predicate[0]);
        return t -> {
            for (Predicate<T> p : ps) {
                if (p.test(t)) {
                    return true;
                }
            }
            return false;
        };
    }

    private Predicate<T> fieldFilter(String field, String operator, JsonNode value, DateMatching dates) {
        FieldFilter<T> f = fields.get(field);
        if (f == null) {
            throw ApiError.invalid("field " + field + " is not searchable in this fake (it knows " + fields.keySet() + ")");
        }
        return f.compile(field, operator, value, dates);
    }

    private Predicate<T> exactSecond(String field, String op, long v, ToLongFunction<T> get) {
        return switch (op) {
            case "=" -> t -> get.applyAsLong(t) == v;
            case "!=" -> t -> get.applyAsLong(t) != v;
            case ">" -> t -> get.applyAsLong(t) > v;
            case "<" -> t -> get.applyAsLong(t) < v;
            default -> throw unsupported(field, op);
        };
    }

    /**
     * Contact search from API 2.17 (2.17 changelog; Preview description): standard timestamps match the exact
     * UTC second passed, not rounded; {@code >} and {@code <} are strict, {@code >=} and {@code <=} inclusive.
     * The time zone plays no part.
     */
    private Predicate<T> utcSecond(String field, String op, long v, ToLongFunction<T> get) {
        return switch (op) {
            case ">=" -> t -> get.applyAsLong(t) >= v;
            case "<=" -> t -> get.applyAsLong(t) <= v;
            default -> exactSecond(field, op, v, get);
        };
    }

    /**
     * Contact search on API versions up to 2.16 only knows the calendar day of a date value: {@code =} is the
     * whole day, {@code >} starts at the next midnight, {@code <} ends at that day's midnight.
     */
    private Predicate<T> workspaceDay(String field, String op, long v, ToLongFunction<T> get) {
        LocalDate day = Instant.ofEpochSecond(v).atZone(zone).toLocalDate();
        long dayStart = day.atStartOfDay(zone).toEpochSecond();
        long nextDayStart = day.plusDays(1).atStartOfDay(zone).toEpochSecond();
        return switch (op) {
            case "=" -> t -> {
                long x = get.applyAsLong(t);
                return x >= dayStart && x < nextDayStart;
            };
            case ">" -> t -> get.applyAsLong(t) >= nextDayStart;
            case "<" -> t -> get.applyAsLong(t) < dayStart;
            default -> throw ApiError.invalid("operator " + op + " is not supported for date field " + field
                    + "; dates are matched by day, use =, > or <");
        };
    }

    private static long seconds(String field, JsonNode value) {
        if (value != null && value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value != null && value.isTextual() && value.asText().matches("-?\\d{1,18}")) {
            return Long.parseLong(value.asText());
        }
        throw ApiError.invalid("The value for " + field + " must be a unix timestamp in seconds");
    }

    private static String text(String field, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isValueNode()) {
            return value.asText();
        }
        throw ApiError.invalid("The value for " + field + " must be a string or number");
    }

    private static Set<String> texts(String field, JsonNode value) {
        if (value == null || !value.isArray()) {
            throw ApiError.invalid("IN and NIN on " + field + " need an array value");
        }
        Set<String> result = new HashSet<>();
        value.forEach(v -> result.add(text(field, v)));
        return result;
    }

    private static ApiError unsupported(String field, String op) {
        return ApiError.invalid("operator " + op + " is not supported for field " + field);
    }
}
