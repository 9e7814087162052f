package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A way the fake serves an object malformed, the kinds of odd JSON a real API lets through now and
 * then: the connector must skip (or tolerate) the one object and go on with the rest of the page.
 * Applied only on the wire; the workspace's JSON accessors, which tests compute expected rows from,
 * stay well formed.
 */
public enum Malformation {
    /** A field of an unexpected type: {@code created_at} as an object. Cannot be converted: skipped. */
    WRONG_TYPE {
        @Override
        void apply(ObjectNode object) {
            object.putObject("created_at").put("at", object.path("created_at").asLong());
        }
    },
    /** A value that does not parse: {@code created_at} as free text. Cannot be converted: skipped. */
    UNPARSEABLE {
        @Override
        void apply(ObjectNode object) {
            object.put("created_at", "not-a-date");
        }
    },
    /** No {@code id}: a search cannot place it, a row cannot be keyed. Skipped. */
    MISSING_ID {
        @Override
        void apply(ObjectNode object) {
            object.remove("id");
        }
    },
    /** An {@code updated_at} that is no timestamp: a search cannot order it. Skipped. */
    UNUSABLE_UPDATED_AT {
        @Override
        void apply(ObjectNode object) {
            object.put("updated_at", "recently");
        }
    },
    /** {@code created_at} as an ISO-8601 string instead of unix seconds: tolerated, the row is complete. */
    ISO_TIMESTAMP {
        @Override
        void apply(ObjectNode object) {
            if (object.path("created_at").canConvertToLong()) {
                object.put("created_at", Instant.ofEpochSecond(object.get("created_at").asLong()).toString());
            }
        }
    };

    /** Makes the object malformed, in place. */
    abstract void apply(ObjectNode object);

    /** Whether the connector can still read the object (the malformation has a sensible value). */
    public boolean tolerated() {
        return this == ISO_TIMESTAMP;
    }
}
