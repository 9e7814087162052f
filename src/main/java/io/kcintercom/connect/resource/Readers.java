package io.kcintercom.connect.resource;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The position type of each resource: creates its reader from the task's config and the stored
 * offset, and checks the offsets users write for it. Besides its position, every offset says what
 * it was read for ({@link OffsetBinding}).
 */
public final class Readers {
    private Readers() {
    }

    public static ResourceReader create(Resource resource, IntercomSourceConnectorConfig config, IntercomClient client,
                                        RecordFactory records, FollowUps followUps, Map<String, ?> offset,
                                        LongSupplier clock) {
        OffsetFields.requireKnownProtocol(resource, offset);
        long since = config.sinceEpochSeconds();
        return switch (resource) {
            case USERS, LEADS -> new SearchReader(resource, client, "/contacts/search", "data",
                    SearchQuery.roleOf(resource),
                    new ContactGroups(resource, client, records, followUps),
                    SearchPosition.fromMap(offset, since), config.pollIntervalMs(), config.searchDelayMs(), clock)
                    .idlePassesUpTo(config.pollIntervalMaxMs())
                    .sweeping(records, Reconciliation.from(config, offset), config.apiVersion());
            case CONVERSATIONS -> new SearchReader(resource, client, "/conversations/search", "conversations",
                    null, new ConversationGroups(client, records, followUps),
                    SearchPosition.fromMap(offset, since), config.pollIntervalMs(), config.searchDelayMs(), clock)
                    .idlePassesUpTo(config.pollIntervalMaxMs())
                    .sweeping(records, Reconciliation.from(config, offset), config.apiVersion());
            case COMPANIES -> new CompaniesReader(client, records, offset, since, config.companiesPollIntervalMs(),
                    CompaniesReader.ScrollSettings.defaults(), clock);
            case ADMINS -> ReferenceReader.admins(client, records, offset, config.refreshIntervalMs(), clock);
            case TAGS -> ReferenceReader.tags(client, records, offset, config.refreshIntervalMs(), clock);
            case SEGMENTS -> ReferenceReader.segments(client, records, offset, config.refreshIntervalMs(), clock);
        };
    }

    /**
     * The reader the task runs: {@link #create}'s, resuming from {@code offset} only when it was
     * written for the token's workspace and the resource's tables enabled now ({@link BoundReader}).
     */
    public static ResourceReader createBound(Resource resource, IntercomSourceConnectorConfig config,
                                             IntercomClient client, RecordFactory records, FollowUps followUps,
                                             Map<String, ?> offset, Workspace workspace, LongSupplier clock) {
        return new BoundReader(new OffsetBinding(resource, config.tables()), workspace, offset,
                start -> create(resource, config, client, records, followUps, start, clock));
    }

    /** Checks an offset a user writes for the resource; throws a ConnectException naming the problem. */
    static void validate(Resource resource, Map<String, ?> offset) {
        switch (resource) {
            case USERS, LEADS, CONVERSATIONS -> SearchPosition.validate(resource, offset);
            case COMPANIES -> CompaniesPosition.validate(offset);
            case ADMINS, TAGS, SEGMENTS -> ReferencePosition.validate(resource, offset);
        }
    }
}
