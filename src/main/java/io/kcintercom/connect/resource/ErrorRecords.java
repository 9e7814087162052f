package io.kcintercom.connect.resource;

import static io.kcintercom.connect.resource.RecordFactory.HEADER_COLUMN;
import static io.kcintercom.connect.resource.RecordFactory.HEADER_CONTEXT;
import static io.kcintercom.connect.resource.RecordFactory.HEADER_ID;
import static io.kcintercom.connect.resource.RecordFactory.HEADER_REASON;
import static io.kcintercom.connect.resource.RecordFactory.HEADER_RESOURCE;
import static io.kcintercom.connect.resource.RecordFactory.HEADER_TABLE;

import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/** The errors-topic record of a skipped object, like Connect's dead letter queue's. */
final class ErrorRecords {
    private ErrorRecords() {
    }

    /** The skipped object's raw JSON, what went wrong in headers; it commits with the batch. */
    static SourceRecord of(String topic, Map<String, String> partition, Map<String, ?> offset,
                           BadObjects.BadObject bad, String rawJson) {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString(HEADER_REASON, "column '" + bad.column() + "' " + bad.reason());
        headers.addString(HEADER_RESOURCE, bad.resource().id());
        headers.addString(HEADER_TABLE, bad.table());
        headers.addString(HEADER_COLUMN, bad.column());
        if (bad.id() != null) {
            headers.addString(HEADER_ID, bad.id());
        }
        headers.addString(HEADER_CONTEXT, bad.context());
        return new SourceRecord(partition, offset, topic, null, Schema.OPTIONAL_STRING_SCHEMA, bad.id(),
                Schema.STRING_SCHEMA, rawJson, null, headers);
    }
}
