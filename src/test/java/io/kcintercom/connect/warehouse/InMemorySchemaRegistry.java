package io.kcintercom.connect.warehouse;

import io.apicurio.registry.resolver.ParsedSchema;
import io.apicurio.registry.resolver.ParsedSchemaImpl;
import io.apicurio.registry.resolver.SchemaLookupResult;
import io.apicurio.registry.resolver.SchemaParser;
import io.apicurio.registry.resolver.SchemaResolver;
import io.apicurio.registry.resolver.data.Record;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import io.apicurio.registry.resolver.strategy.ArtifactReferenceResolverStrategy;
import io.apicurio.registry.rest.client.RegistryClient;
import io.apicurio.registry.serde.data.KafkaSerdeMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A schema registry in memory, plugged into Apicurio's serializer and deserializer through their
 * {@link SchemaResolver} seam (Apicurio 2.6 ships no mock registry client). It behaves like the
 * registry as those serdes see it: the serializer registers the schema of each record under the
 * topic's artifact ({@code <topic>-key} / {@code <topic>-value}, Apicurio's default
 * TopicIdStrategy) and writes the global id; the deserializer looks the id up and gets back the
 * registered schema <em>text</em>, re-parsed by Avro, so what a reader sees is what was stored.
 */
final class InMemorySchemaRegistry implements SchemaResolver<org.apache.avro.Schema, Object> {
    private record Version(long globalId, String artifactId, byte[] rawSchema) {
    }

    private final Map<Long, Version> byGlobalId = new ConcurrentHashMap<>();
    private final Map<String, List<Version>> byArtifact = new ConcurrentHashMap<>();
    private SchemaParser<org.apache.avro.Schema, Object> parser;

    @Override
    public void configure(Map<String, ?> configs, SchemaParser<org.apache.avro.Schema, Object> schemaParser) {
        this.parser = schemaParser;
    }

    @Override
    public void setClient(RegistryClient client) {
        // no remote registry
    }

    @Override
    public void setArtifactResolverStrategy(ArtifactReferenceResolverStrategy<org.apache.avro.Schema, Object> s) {
        // always TopicIdStrategy
    }

    @Override
    public SchemaParser<org.apache.avro.Schema, Object> getSchemaParser() {
        return parser;
    }

    @Override
    public synchronized SchemaLookupResult<org.apache.avro.Schema> resolveSchema(Record<Object> data) {
        KafkaSerdeMetadata metadata = (KafkaSerdeMetadata) data.metadata();
        String artifactId = metadata.getTopic() + (metadata.isKey() ? "-key" : "-value");
        ParsedSchema<org.apache.avro.Schema> schema = parser.getSchemaFromData(data);
        List<Version> versions = byArtifact.computeIfAbsent(artifactId, a -> new ArrayList<>());
        Version version = versions.stream()
                .filter(v -> java.util.Arrays.equals(v.rawSchema(), schema.getRawSchema()))
                .findFirst().orElse(null);
        if (version == null) {
            version = new Version(byGlobalId.size() + 1L, artifactId, schema.getRawSchema());
            versions.add(version);
            byGlobalId.put(version.globalId(), version);
        }
        return lookup(version, schema);
    }

    @Override
    public SchemaLookupResult<org.apache.avro.Schema> resolveSchemaByArtifactReference(ArtifactReference reference) {
        Long id = reference.getGlobalId() != null ? reference.getGlobalId() : reference.getContentId();
        Version version = id == null ? null : byGlobalId.get(id);
        if (version == null) {
            throw new IllegalStateException("no schema registered under " + reference);
        }
        org.apache.avro.Schema parsed = parser.parseSchema(version.rawSchema(), Map.of());
        return lookup(version, new ParsedSchemaImpl<org.apache.avro.Schema>()
                .setParsedSchema(parsed).setRawSchema(version.rawSchema()));
    }

    /** Every schema registered, as text, by artifact id. */
    synchronized Map<String, List<String>> registered() {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        byArtifact.forEach((artifact, versions) -> out.put(artifact, versions.stream()
                .map(v -> new String(v.rawSchema(), StandardCharsets.UTF_8)).toList()));
        return out;
    }

    @Override
    public void reset() {
    }

    @Override
    public void close() {
    }

    private static SchemaLookupResult<org.apache.avro.Schema> lookup(Version version,
                                                                     ParsedSchema<org.apache.avro.Schema> schema) {
        return SchemaLookupResult.<org.apache.avro.Schema>builder()
                .globalId(version.globalId())
                .contentId(version.globalId())
                .groupId("default")
                .artifactId(version.artifactId())
                .version(String.valueOf(version.globalId()))
                .parsedSchema(schema)
                .build();
    }
}
