package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomApiException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The follow-up requests of one page of objects, decided once per object and kept under their names
 * ({@code K}: a contact's tags, notes and so on; a conversation with its parts). Assembling an
 * object's rows reads each result under its name, so the assembly does not repeat the decisions
 * nor depend on the order they were taken in: a follow-up that was not planned has no result, and
 * asking for it gives the fallback the assembly names.
 *
 * <p>The requests start object by object and, within an object, in the declaration order of
 * {@code K}; {@link FollowUps} runs them in that order.
 *
 * @param <K> the names of an object's follow-ups
 * @param <T> the result of one follow-up
 */
final class FollowUpPlan<K extends Enum<K>, T> {
    /** Builds the group of records of one object from the results of its follow-ups. */
    @FunctionalInterface
    interface Assembly<K extends Enum<K>, T> {
        RecordFactory.Group assemble(JsonNode object, Results<K, T> results);
    }

    /** Where the result of one submitted request goes: which object, under which name. */
    private record Slot<K>(int object, K name) {
    }

    private final Class<K> names;
    private final List<JsonNode> objects = new ArrayList<>();
    private final List<Slot<K>> slots = new ArrayList<>();
    private final List<Callable<T>> requests = new ArrayList<>();

    /**
     * Whether a follow-up's error says its object is gone: 404, or 410, which API 2.16 answers for a
     * merged contact. Its group then retracts the object's rows rather than emitting them.
     */
    static boolean revealsDelete(IntercomApiException e) {
        return e.isNotFound() || e.status() == 410;
    }

    FollowUpPlan(Class<K> names) {
        this.names = names;
    }

    /** Plans the next object of the page with its follow-ups (none is fine: its rows need no request). */
    void add(JsonNode object, Map<K, Callable<T>> followUps) {
        int index = objects.size();
        objects.add(object);
        // An EnumMap iterates in declaration order whatever order the caller put the names in.
        EnumMap<K, Callable<T>> ordered = new EnumMap<>(names);
        ordered.putAll(followUps);
        ordered.forEach((name, request) -> {
            slots.add(new Slot<>(index, name));
            requests.add(request);
        });
    }

    /**
     * Starts every planned request; the groups are assembled, in the objects' order, once all are
     * done. A plan is for one page: it is started once, after its last object was added.
     */
    PendingGroups start(FollowUps followUps, Assembly<K, T> assembly) {
        return PendingGroups.of(followUps.submitAll(requests), done -> assemble(done, assembly));
    }

    private List<RecordFactory.Group> assemble(List<T> done, Assembly<K, T> assembly) {
        List<Map<K, T>> byObject = new ArrayList<>(objects.size());
        for (int i = 0; i < objects.size(); i++) {
            byObject.add(new EnumMap<>(names));
        }
        for (int i = 0; i < slots.size(); i++) {
            Slot<K> slot = slots.get(i);
            byObject.get(slot.object()).put(slot.name(), done.get(i));
        }
        List<RecordFactory.Group> groups = new ArrayList<>(objects.size());
        for (int i = 0; i < objects.size(); i++) {
            groups.add(assembly.assemble(objects.get(i), new Results<>(byObject.get(i))));
        }
        return groups;
    }

    /** The results of one object's follow-ups, by name. A result may be null if its request made it so. */
    static final class Results<K extends Enum<K>, T> {
        private final Map<K, T> byName;

        Results(Map<K, T> byName) {
            this.byName = Collections.unmodifiableMap(byName);
        }

        boolean planned(K name) {
            return byName.containsKey(name);
        }

        /** The result of the follow-up {@code name}, or {@code otherwise} when it was not planned. */
        T orElse(K name, T otherwise) {
            return planned(name) ? byName.get(name) : otherwise;
        }

        /** The result of the follow-up {@code name}, or what {@code otherwise} gives when it was not planned. */
        T orElseGet(K name, Supplier<T> otherwise) {
            return planned(name) ? byName.get(name) : otherwise.get();
        }
    }
}
