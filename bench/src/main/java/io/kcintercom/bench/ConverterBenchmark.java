package io.kcintercom.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.RowConverter;
import io.kcintercom.connect.table.TableDef;
import io.kcintercom.connect.table.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Conversion speed at zero latency: rows/s of {@link RowConverter} (JSON tree to key and value
 * Structs) against Jackson's own parse of the same payloads, one payload = one row.
 *
 * <p>Payloads are the sample workspace's own JSON (what the fake serves): users as search returns
 * them, conversations as search returns them, and conversation parts as GET /conversations/{id}
 * returns them with {@code conversations_pk} added (as RecordFactory.addChild does). Every
 * benchmark handles the whole list per invocation and reports rows/s
 * ({@link OperationsPerInvocation} = rows).
 *
 * <ul>
 *   <li>{@code *_parseTree}: {@code ObjectMapper.readTree(byte[])}, Jackson's parse of a body
 *       from its bytes: the "raw parse" of the goal (same input bytes, same JsonNode output the
 *       converter consumes).</li>
 *   <li>{@code users_parseTreeViaString}: {@code readTree(new String(bytes, UTF_8))}, which is
 *       what IntercomClient actually does today (bodyText, then readTree(String)).</li>
 *   <li>{@code *_parseTokens}: a bare streaming token scan, the floor of any JSON reading.</li>
 *   <li>{@code *_convert}: {@code RowConverter.convert(table, node)} on the pre-parsed nodes.</li>
 *   <li>{@code parts_copyAndConvert}: deepCopy + put(parent key) + convert, the whole per-child
 *       cost of RecordFactory.Group.addChild.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class ConverterBenchmark {
    static final int USERS = 500;
    static final int CONVERSATIONS = 500;
    static final int PARTS = 2000;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private final TableDef usersTable = Tables.get(Tables.USERS);
    private final TableDef conversationsTable = Tables.get(Tables.CONVERSATIONS);
    private final TableDef partsTable = Tables.get(Tables.CONVERSATION_PARTS);

    private byte[][] userBytes;
    private JsonNode[] userNodes;
    private byte[][] conversationBytes;
    private JsonNode[] conversationNodes;
    private byte[][] partBytes;
    private JsonNode[] partNodes;
    private JsonNode[] rawPartNodes;
    private String[] partParents;

    @Setup
    public void setup() throws IOException {
        SampleWorkspace ws = SampleWorkspace.generate(42, SampleWorkspace.Sizes.builder()
                .users(USERS).leads(10).companies(60).conversations(CONVERSATIONS).build(),
                Instant.parse("2025-01-01T00:00:00Z"));
        List<JsonNode> users = ws.contacts("user");
        userBytes = bytes(users);
        userNodes = nodes(userBytes);
        List<JsonNode> conversations = ws.conversations();
        conversationBytes = bytes(conversations);
        conversationNodes = nodes(conversationBytes);
        List<JsonNode> parts = new ArrayList<>();
        List<JsonNode> rawParts = new ArrayList<>();
        List<String> parents = new ArrayList<>();
        for (JsonNode conversation : conversations) {
            String id = conversation.get("id").asText();
            for (JsonNode part : ws.parts(id)) {
                if (parts.size() == PARTS) {
                    break;
                }
                rawParts.add(part);
                parents.add(id);
                ObjectNode child = ((ObjectNode) part).deepCopy();
                child.put("conversations_pk", id);
                parts.add(child);
            }
        }
        if (parts.size() != PARTS) {
            throw new IllegalStateException("only " + parts.size() + " parts generated");
        }
        partBytes = bytes(parts);
        partNodes = nodes(partBytes);
        rawPartNodes = nodes(bytes(rawParts));
        partParents = parents.toArray(String[]::new);
    }

    private static byte[][] bytes(List<JsonNode> nodes) throws IOException {
        byte[][] out = new byte[nodes.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = MAPPER.writeValueAsBytes(nodes.get(i));
        }
        return out;
    }

    private static JsonNode[] nodes(byte[][] bytes) throws IOException {
        JsonNode[] out = new JsonNode[bytes.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = MAPPER.readTree(bytes[i]);
        }
        return out;
    }

    // ---- users ------------------------------------------------------------------------------

    @Benchmark
    @OperationsPerInvocation(USERS)
    public void users_parseTree(Blackhole bh) throws IOException {
        for (byte[] b : userBytes) {
            bh.consume(MAPPER.readTree(b));
        }
    }

    /** What IntercomClient does today: the body as a String first, then readTree(String). */
    @Benchmark
    @OperationsPerInvocation(USERS)
    public void users_parseTreeViaString(Blackhole bh) throws IOException {
        for (byte[] b : userBytes) {
            bh.consume(MAPPER.readTree(new String(b, StandardCharsets.UTF_8)));
        }
    }

    @Benchmark
    @OperationsPerInvocation(USERS)
    public void users_parseTokens(Blackhole bh) throws IOException {
        for (byte[] b : userBytes) {
            bh.consume(scan(b));
        }
    }

    @Benchmark
    @OperationsPerInvocation(USERS)
    public void users_convert(Blackhole bh) {
        for (JsonNode n : userNodes) {
            bh.consume(RowConverter.convert(usersTable, n));
        }
    }

    // ---- conversations ----------------------------------------------------------------------

    @Benchmark
    @OperationsPerInvocation(CONVERSATIONS)
    public void conversations_parseTree(Blackhole bh) throws IOException {
        for (byte[] b : conversationBytes) {
            bh.consume(MAPPER.readTree(b));
        }
    }

    @Benchmark
    @OperationsPerInvocation(CONVERSATIONS)
    public void conversations_convert(Blackhole bh) {
        for (JsonNode n : conversationNodes) {
            bh.consume(RowConverter.convert(conversationsTable, n));
        }
    }

    // ---- conversation parts -----------------------------------------------------------------

    @Benchmark
    @OperationsPerInvocation(PARTS)
    public void parts_parseTree(Blackhole bh) throws IOException {
        for (byte[] b : partBytes) {
            bh.consume(MAPPER.readTree(b));
        }
    }

    @Benchmark
    @OperationsPerInvocation(PARTS)
    public void parts_convert(Blackhole bh) {
        for (JsonNode n : partNodes) {
            bh.consume(RowConverter.convert(partsTable, n));
        }
    }

    @Benchmark
    @OperationsPerInvocation(PARTS)
    public void parts_copyAndConvert(Blackhole bh) {
        for (int i = 0; i < rawPartNodes.length; i++) {
            ObjectNode child = ((ObjectNode) rawPartNodes[i]).deepCopy();
            child.put("conversations_pk", partParents[i]);
            bh.consume(RowConverter.convert(partsTable, child));
        }
    }

    private static int scan(byte[] bytes) throws IOException {
        int tokens = 0;
        try (JsonParser p = FACTORY.createParser(bytes)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.VALUE_STRING) {
                    p.getTextLength(); // touch the value, as any reader must
                }
                tokens++;
            }
        }
        return tokens;
    }
}
